// The engine end to end: real coordinator, real Kafka, real PostgreSQL, scripted participants.
import { type CommandMessage, topicNames } from '@saga-coordinator/participant/protocol';
import type { SagaDefinition, StepDefinition } from '../../../src/core/saga-definition';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { SagaQueryService } from '../../../src/api/sagas/saga-query.service';
import { CoordinatorHarness, startCoordinatorHarness } from '../../support/coordinator-harness';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { infraEnv, uniqueName } from '../../support/test-infra';

const FAST = { retry: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 200, multiplier: 2, jitter: 0, minRetryWindowMs: 0 }, timeoutMs: 1500 };
const STEPS: StepDefinition[] = [
  { name: 'createOrder', participant: 'orders', command: 'order.create', compensation: 'order.cancel', ...FAST },
  { name: 'charge', participant: 'payments', command: 'payment.charge', compensation: 'payment.refund', ...FAST },
  { name: 'reserve', participant: 'stock', command: 'stock.reserve', compensation: 'stock.release', ...FAST },
];

function definition(overrides: Partial<StepDefinition>[] = []): SagaDefinition {
  return { name: uniqueName('order').replace(/_/g, '-'), steps: STEPS.map((s, i) => ({ ...s, ...(overrides[i] ?? {}) })) };
}

const names = (cmds: CommandMessage[], action: 'execute' | 'compensate') => cmds.filter((c) => c.action === action).map((c) => c.step);

describe('saga orchestration over real Kafka and PostgreSQL', () => {
  let h: CoordinatorHarness;

  beforeAll(async () => {
    h = await startCoordinatorHarness(['orders', 'payments', 'stock']);
  });

  afterAll(async () => {
    await h?.close();
  });

  async function run(def: SagaDefinition, input: object = { orderId: 'o-1', amount: 10 }): Promise<string> {
    await h.definitions.register(def);
    const { saga } = await h.engine.start({ definition: def.name, input: input as never, actor: 'test' });
    return saga.sagaId;
  }

  it('runs every step once, in order, and completes', async () => {
    const def = definition();
    h.participants.on(def.name, (cmd) => ({ outcome: 'success', output: { done: cmd.step } }));
    const sagaId = await run(def);
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
    const cmds = h.participants.commandsOf(sagaId);
    expect(names(cmds, 'execute')).toEqual(['createOrder', 'charge', 'reserve']);
    expect(names(cmds, 'compensate')).toEqual([]);
    expect(cmds[0].payload).toEqual({ orderId: 'o-1', amount: 10 });
    const attempts = await h.pool.query('select step, status from step_attempts where saga_id = $1 order by sent_at', [sagaId]);
    expect(attempts.rows).toEqual([
      { step: 'createOrder', status: 'SUCCEEDED' },
      { step: 'charge', status: 'SUCCEEDED' },
      { step: 'reserve', status: 'SUCCEEDED' },
    ]);
    const history = await h.pool.query('select event_type from saga_history where saga_id = $1 order by id', [sagaId]);
    expect(history.rows.map((r) => r.event_type)).toEqual(['SagaStarted', 'StepReplied', 'StepReplied', 'StepReplied']);
    const finished = await h.pool.query('select finished_at from saga_instances where saga_id = $1', [sagaId]);
    expect(finished.rows[0].finished_at).toBeInstanceOf(Date);
  });

  it('builds step input from the saga input and earlier outputs, and runs parallel groups concurrently', async () => {
    const def: SagaDefinition = {
      name: uniqueName('mapping').replace(/_/g, '-'),
      steps: [
        { ...STEPS[0], input: { id: '$.input.orderId' } },
        { parallel: [{ ...STEPS[1], input: { order: '$.steps.createOrder.output.orderRef' } }, { ...STEPS[2], input: { order: '$.steps.createOrder.output.orderRef', literal: '$$.notARef' } }] },
      ],
    };
    h.participants.on(def.name, (cmd) => ({ outcome: 'success', output: (cmd.step === 'createOrder' ? { orderRef: 'ref-42' } : { none: true }) as Record<string, string | boolean> }));
    const sagaId = await run(def);
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
    const cmds = h.participants.commandsOf(sagaId);
    expect(cmds.find((c) => c.step === 'createOrder')!.payload).toEqual({ id: 'o-1' });
    expect(cmds.find((c) => c.step === 'charge')!.payload).toEqual({ order: 'ref-42' });
    expect(cmds.find((c) => c.step === 'reserve')!.payload).toEqual({ order: 'ref-42', literal: '$.notARef' });
    // Both members were sent before either replied: one outbox batch.
    const sent = await h.pool.query("select step, sent_at from step_attempts where saga_id = $1 and step in ('charge','reserve')", [sagaId]);
    expect(new Set(sent.rows.map((r) => r.sent_at.getTime())).size).toBe(1);
  });

  it.each([0, 1, 2])('on a business failure at step %i compensates exactly the completed steps, in reverse', async (failing) => {
    const def = definition();
    h.participants.on(def.name, (cmd) =>
      cmd.action === 'execute' && cmd.step === STEPS[failing].name ? { outcome: 'failure', error: { code: 'NOPE', message: 'refused' } } : { outcome: 'success' },
    );
    const sagaId = await run(def);
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPENSATED');
    const cmds = h.participants.commandsOf(sagaId);
    expect(names(cmds, 'execute')).toEqual(STEPS.slice(0, failing + 1).map((s) => s.name));
    expect(names(cmds, 'compensate')).toEqual(STEPS.slice(0, failing).map((s) => s.name).reverse());
  });

  it('retries a retryable failure and then succeeds', async () => {
    const def = definition();
    h.participants.on(def.name, (cmd) => (cmd.step === 'charge' && cmd.attempt < 3 ? { outcome: 'retry', error: { message: 'busy' } } : { outcome: 'success' }));
    const sagaId = await run(def);
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
    const charges = h.participants.commandsOf(sagaId).filter((c) => c.step === 'charge');
    expect(charges.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(new Set(charges.map((c) => c.messageId)).size).toBe(3);
  });

  it('retries a timed-out attempt, then compensates, including the step that may have applied', async () => {
    const def = definition([{}, { timeoutMs: 300, retry: { maxAttempts: 2, initialBackoffMs: 50, maxBackoffMs: 50, multiplier: 1, jitter: 0, minRetryWindowMs: 0 } }]);
    h.participants.on(def.name, (cmd) => (cmd.step === 'charge' && cmd.action === 'execute' ? 'drop' : { outcome: 'success' }));
    const sagaId = await run(def);
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPENSATED');
    const cmds = h.participants.commandsOf(sagaId);
    expect(cmds.filter((c) => c.step === 'charge' && c.action === 'execute').map((c) => c.attempt)).toEqual([1, 2]);
    expect(names(cmds, 'compensate')).toEqual(['charge', 'createOrder']);
    const timedOut = await h.pool.query("select count(*)::int as n from step_attempts where saga_id = $1 and status = 'TIMED_OUT'", [sagaId]);
    expect(timedOut.rows[0].n).toBe(2);
  });

  it('retries a compensation that fails twice until it succeeds', async () => {
    const def = definition();
    h.participants.on(def.name, (cmd) => {
      if (cmd.step === 'reserve' && cmd.action === 'execute') return { outcome: 'failure', error: { message: 'out of stock' } };
      if (cmd.step === 'createOrder' && cmd.action === 'compensate' && cmd.attempt <= 2) return { outcome: 'retry', error: { message: 'db busy' } };
      return { outcome: 'success' };
    });
    const sagaId = await run(def);
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPENSATED');
    const comps = h.participants.commandsOf(sagaId).filter((c) => c.action === 'compensate');
    expect(comps.map((c) => `${c.step}#${c.attempt}`)).toEqual(['charge#1', 'createOrder#1', 'createOrder#2', 'createOrder#3']);
  });

  it('applies a duplicated reply once and ignores a second, different reply to the same command', async () => {
    const def = definition();
    const duplicates: string[] = [];
    h.participants.on(def.name, () => ({ outcome: 'success' }));
    const sagaId = await run(def);
    // While it runs, resend each command's reply: once with the same messageId (inbox dedupe), once with a new one (stale).
    await waitForSagaStatus(h.pool, sagaId, ['COMPLETED']);
    for (const cmd of h.participants.commandsOf(sagaId)) {
      const reply = h.participants.reply(cmd, { outcome: 'failure', error: { message: 'late and wrong' } });
      await h.participants.sendRaw(JSON.stringify(reply), sagaId);
      await h.participants.sendRaw(JSON.stringify(reply), sagaId);
      duplicates.push(reply.messageId);
    }
    const ignored = await waitFor('the late replies to be recorded', async () => {
      const late = (await h.app.get(SagaQueryService).get(sagaId)).history.filter((e) => e.eventType === 'StepReplied' && e.verdict !== 'applied');
      return late.length >= 3 ? late : undefined;
    });
    expect(ignored.map((e) => [e.verdict, e.code])).toEqual([
      ['ignored', 'SAGA_FINISHED'],
      ['ignored', 'SAGA_FINISHED'],
      ['ignored', 'SAGA_FINISHED'],
    ]);
    // Each distinct late reply is recorded once as ignored; the same messageId a second time is deduped by the inbox.
    expect(ignored).toHaveLength(3);
    const inbox = await h.pool.query('select count(*)::int as n from inbox where message_id = any($1)', [duplicates]);
    expect(inbox.rows[0].n).toBe(3);
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED'])).toBe('COMPLETED');
    expect(names(h.participants.commandsOf(sagaId), 'compensate')).toEqual([]);
  });

  it('ignores a late reply for an older attempt after a newer attempt succeeded', async () => {
    const def = definition([{}, { timeoutMs: 300 }]);
    let lateReply: string | undefined;
    h.participants.on(def.name, (cmd) => {
      if (cmd.step === 'charge' && cmd.attempt === 1) {
        lateReply = JSON.stringify(h.participants.reply(cmd, { outcome: 'failure', error: { message: 'too late' } }));
        return 'drop';
      }
      return { outcome: 'success' };
    });
    const sagaId = await run(def);
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
    await h.participants.sendRaw(lateReply!, sagaId);
    const stale = await waitFor('the stale reply to be recorded', async () =>
      (await h.app.get(SagaQueryService).get(sagaId)).history.find((e) => e.eventType === 'StepReplied' && e.verdict !== 'applied'),
    );
    expect(stale).toMatchObject({ verdict: 'ignored', code: 'SAGA_FINISHED', actor: 'participant:charge' });
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED'])).toBe('COMPLETED');
  });

  it('dead-letters malformed replies with the reason and keeps processing', async () => {
    const dlqBus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'dlq-reader' });
    await dlqBus.connect();
    const dead: { reason: string; original: { value: string } }[] = [];
    const sub = await dlqBus.subscribe({
      groupId: uniqueName('dlq'),
      topics: [topicNames(h.prefix).deadLetter],
      fromBeginning: true,
      handleBatch: async (ms) => {
        dead.push(...ms.map((m) => JSON.parse(m.value!.toString())));
      },
    });
    try {
      await h.participants.sendRaw('this is not json');
      await h.participants.sendRaw(JSON.stringify({ protocolVersion: 1, messageId: 'x', outcome: 'maybe' }));
      await h.participants.sendRaw(JSON.stringify({ protocolVersion: 1, messageId: 'y', correlationId: '00000000-0000-4000-8000-000000000000:a:execute:1', sagaId: '00000000-0000-4000-8000-000000000000', step: 'a', action: 'execute', attempt: 1, outcome: 'success' }));
      const def = definition();
      h.participants.on(def.name, () => ({ outcome: 'success' }));
      const sagaId = await run(def);
      expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
      await waitFor('three dead letters', async () => (dead.length >= 3 ? true : undefined));
      expect(dead.map((d) => d.original.value)).toContain('this is not json');
      expect(dead.find((d) => d.original.value === 'this is not json')!.reason).toMatch(/not valid JSON/);
      expect(dead.some((d) => /does not match its schema/.test(d.reason) && /outcome/.test(d.reason))).toBe(true);
      expect(dead.some((d) => /unknown saga/.test(d.reason))).toBe(true);
    } finally {
      await sub.stop();
      await dlqBus.disconnect();
    }
  });

  it('publishes lifecycle events to the events topic, in order, with the business key', async () => {
    const def = definition();
    h.participants.on(def.name, (cmd) => (cmd.step === 'reserve' ? { outcome: 'failure', error: { message: 'no stock' } } : { outcome: 'success' }));
    const reader = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'events-reader' });
    await reader.connect();
    const events: { eventType: string; sagaId: string; step?: string; businessKey?: string; data?: unknown }[] = [];
    const sub = await reader.subscribe({
      groupId: uniqueName('events'),
      topics: [topicNames(h.prefix).events],
      fromBeginning: true,
      handleBatch: async (ms) => {
        events.push(...ms.map((m) => JSON.parse(m.value!.toString())));
      },
    });
    try {
      await h.definitions.register(def);
      const { saga } = await h.engine.start({ definition: def.name, input: { orderId: 'ev' }, businessKey: 'order-ev', actor: 'test' });
      expect(await waitForSagaStatus(h.pool, saga.sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPENSATED');
      const mine = await waitFor('the saga.compensated event', async () => {
        const list = events.filter((e) => e.sagaId === saga.sagaId);
        return list.some((e) => e.eventType === 'saga.compensated') ? list : undefined;
      });
      expect(mine.map((e) => `${e.eventType}${e.step ? `:${e.step}` : ''}`)).toEqual([
        'saga.started',
        'step.started:createOrder',
        'step.succeeded:createOrder',
        'step.started:charge',
        'step.succeeded:charge',
        'step.started:reserve',
        'step.failed:reserve',
        'saga.compensating',
        // step.started again: the first attempt of each compensation.
        'step.started:charge',
        'step.compensated:charge',
        'step.started:createOrder',
        'step.compensated:createOrder',
        'saga.compensated',
      ]);
      expect(mine.filter((e) => e.eventType === 'step.started').map((e) => (e.data as { action: string }).action)).toEqual(['execute', 'execute', 'execute', 'compensate', 'compensate']);
      expect(new Set(mine.map((e) => e.businessKey))).toEqual(new Set(['order-ev']));
    } finally {
      await sub.stop();
      await reader.disconnect();
    }
  });

  it('starts a saga from the start topic once per idempotency key', async () => {
    const def = definition();
    h.participants.on(def.name, () => ({ outcome: 'success' }));
    await h.definitions.register(def);
    const key = uniqueName('start-key');
    const start = JSON.stringify({ protocolVersion: 1, idempotencyKey: key, definition: def.name, input: { orderId: 'k' }, businessKey: 'order-k' });
    const bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'starter' });
    await bus.connect();
    try {
      await bus.publish([0, 1, 2].map(() => ({ topic: topicNames(h.prefix).start, key, value: start })));
    } finally {
      await bus.disconnect();
    }
    const sagaId = await waitFor('the saga to be accepted', async () => {
      const r = await h.pool.query('select saga_id from saga_instances where idempotency_key = $1', [key]);
      return r.rows[0]?.saga_id as string | undefined;
    });
    expect(await waitForSagaStatus(h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
    const count = await h.pool.query("select count(*)::int as n from saga_instances where business_key = 'order-k'");
    expect(count.rows[0].n).toBe(1);
    expect(names(h.participants.commandsOf(sagaId), 'execute')).toEqual(['createOrder', 'charge', 'reserve']);
  });
});
