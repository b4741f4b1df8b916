// The effects of a decision become rows one to one; nothing is decided here.
import { appendDecisionRows } from '../../../src/coordinator/decision-rows';
import { createSagaState, decide, normalizeDefinition } from '../../../src/core';
import { LIFECYCLE_EVENT_TYPES, parseProtocolMessage, topicNames } from '@saga-coordinator/participant/protocol';
import { emptyWrites } from '../../../src/persistence/engine-writes';

const def = normalizeDefinition({ name: 'order', steps: [{ name: 'reserve', participant: 'stock', command: 'stock.reserve', compensation: 'stock.release' }] });
const now = 1_700_000_000_000;
const sagaId = '6f1c2a9e-1b2c-4d3e-8f40-5a6b7c8d9e01';
const routing = { topics: topicNames('saga'), lifecycleEvents: new Set(LIFECYCLE_EVENT_TYPES) };

describe('decision rows', () => {
  it('lifecycle events step.started and saga.completed (with the output and the idempotency key) match the published schema', () => {
    const withOutput = normalizeDefinition({ name: 'order', output: { hold: '$.steps.reserve.output.holdId' }, steps: [{ name: 'reserve', participant: 'stock', command: 'stock.reserve' }] });
    const before = createSagaState({ sagaId, definition: withOutput, definitionVersion: 1, input: {}, now });
    const started = decide(before, withOutput, { type: 'SagaStarted' }, { now, random: () => 0 });
    const reply = { type: 'StepReplied' as const, step: 'reserve', action: 'execute' as const, attempt: 1, outcome: 'success' as const, output: { holdId: 'h-1' } };
    const completed = decide(started.state, withOutput, reply, { now, random: () => 0 });
    const w = emptyWrites();
    appendDecisionRows(w, { sagaId, event: { type: 'SagaStarted' }, actor: 'a', before, decision: started, definitionVersion: 1, businessKey: null, idempotencyKey: 'k-9' }, routing);
    appendDecisionRows(w, { sagaId, event: reply, actor: 'a', before: started.state, decision: completed, definitionVersion: 1, businessKey: null, idempotencyKey: 'k-9' }, routing);
    const events = w.outbox.filter((m) => m.topic === 'saga.events');
    for (const e of events) expect(parseProtocolMessage('lifecycle-event', e.value)).toMatchObject({ ok: true });
    const parsed = events.map((e) => JSON.parse(e.value) as { eventType: string; step?: string; data?: unknown; idempotencyKey?: string });
    expect(parsed.find((e) => e.eventType === 'step.started')).toMatchObject({ step: 'reserve', data: { action: 'execute' } });
    expect(parsed.find((e) => e.eventType === 'saga.completed')).toMatchObject({ idempotencyKey: 'k-9', data: { output: { hold: 'h-1' } } });
    // The schema holds the shape: a step.started without its action is refused.
    expect(parseProtocolMessage('lifecycle-event', JSON.stringify({ ...JSON.parse(events[0].value), eventType: 'step.started', step: 'reserve', data: {} }))).toMatchObject({ ok: false });
  });

  it('a start becomes a history row, an attempt, and outbox messages for the command and the lifecycle event', () => {
    const before = createSagaState({ sagaId, definition: def, definitionVersion: 3, input: { orderId: 'o-1' }, now });
    const decision = decide(before, def, { type: 'SagaStarted' }, { now, random: () => 0 });
    const w = emptyWrites();
    appendDecisionRows(w, { sagaId, event: { type: 'SagaStarted' }, actor: 'api-key:ann', before, decision, definitionVersion: 3, businessKey: 'b-1', idempotencyKey: 'k-1' }, routing, (m) => ({ traceparent: `tp-${m.kind}` }));
    expect(w.history).toEqual([expect.objectContaining({ sagaId, eventType: 'SagaStarted', verdict: 'applied', verdictCode: null, actor: 'api-key:ann' })]);
    expect(w.attempts).toEqual([{ sagaId, step: 'reserve', action: 'execute', attempt: 1, commandId: `${sagaId}:reserve:execute:1`, deadlineAt: now + 30_000 }]);
    const command = w.outbox.find((m) => m.topic === 'saga.commands.stock')!;
    expect(JSON.parse(command.value)).toMatchObject({ messageId: `${sagaId}:reserve:execute:1`, replyTopic: 'saga.replies', definition: { name: 'order', version: 3 }, payload: { orderId: 'o-1' } });
    expect(command.headers).toEqual({ 'message-type': 'command', 'protocol-version': '1', 'saga-id': sagaId, traceparent: 'tp-command' });
    const event = w.outbox.find((m) => m.topic === 'saga.events')!;
    expect(JSON.parse(event.value)).toMatchObject({ eventType: 'saga.started', businessKey: 'b-1', idempotencyKey: 'k-1', definition: { name: 'order', version: 3 } });
  });

  it('an ignored event is only a history row with its code and reason', () => {
    const started = decide(createSagaState({ sagaId, definition: def, definitionVersion: 1, input: {}, now }), def, { type: 'SagaStarted' }, { now, random: () => 0 }).state;
    const event = { type: 'StepReplied' as const, step: 'reserve', action: 'execute' as const, attempt: 7, outcome: 'success' as const };
    const decision = decide(started, def, event, { now, random: () => 0 });
    const w = emptyWrites();
    appendDecisionRows(w, { sagaId, event, actor: 'participant:reserve', before: started, decision, definitionVersion: 1, businessKey: null, idempotencyKey: null }, routing);
    expect(w.history).toEqual([expect.objectContaining({ verdict: 'ignored', verdictCode: 'UNKNOWN_ATTEMPT' })]);
    expect(w.outbox).toEqual([]);
    expect(w.attemptResults).toEqual([]);
  });

  it('publishes only the lifecycle events LIFECYCLE_EVENTS selects, and still sends the command', () => {
    const before = createSagaState({ sagaId, definition: def, definitionVersion: 1, input: {}, now });
    const decision = decide(before, def, { type: 'SagaStarted' }, { now, random: () => 0 });
    expect(decision.effects.filter((e) => e.type === 'EmitLifecycleEvent').map((e) => (e as { eventType: string }).eventType)).toEqual(['saga.started', 'step.started']);
    const w = emptyWrites();
    appendDecisionRows(w, { sagaId, event: { type: 'SagaStarted' }, actor: 'a', before, decision, definitionVersion: 1, businessKey: null, idempotencyKey: null }, { topics: topicNames('saga'), lifecycleEvents: new Set(['saga.started'] as const) });
    expect(w.outbox.map((m) => [m.topic, (JSON.parse(m.value) as { eventType?: string }).eventType ?? 'command'])).toEqual([
      ['saga.events', 'saga.started'],
      ['saga.commands.stock', 'command'],
    ]);
    expect(w.history).toHaveLength(1);
    expect(w.attempts).toHaveLength(1);
  });
});
