import { emptyWrites, engineWritesQuery, SAGA_SETTLED_CHANNEL } from '../../../src/persistence/engine-writes';

describe('engine writes: one statement per transaction', () => {
  it('writes only what there is, each list as one JSON parameter', () => {
    const w = emptyWrites();
    w.history.push({ sagaId: 's', eventType: 'SagaStarted', event: { type: 'SagaStarted' }, statusBefore: 'RUNNING', statusAfter: 'RUNNING', verdict: 'applied', verdictCode: null, verdictReason: null, actor: 'test' });
    w.outbox.push({ topic: 't', key: 's', value: '{}', headers: {} }, { topic: 't', key: 's', value: '{"a":1}', headers: {} });
    const { text, values } = engineWritesQuery(w);
    expect(text).toMatch(/^with history as \(/);
    expect(text).toContain('insert into outbox_batches');
    expect(text).not.toContain('update saga_instances');
    expect(text).not.toContain('step_attempts');
    expect(values).toHaveLength(3);
    expect(JSON.parse(values[0] as string)).toEqual([expect.objectContaining({ saga_id: 's', verdict: 'applied' })]);
    expect(JSON.parse(values[1] as string)).toHaveLength(2);
    expect(values[2]).toBe(2);
  });

  it('records only the first ending of an attempt', () => {
    const w = emptyWrites();
    w.attemptResults.push({ commandId: 'c', status: 'TIMED_OUT', output: null, error: null }, { commandId: 'c', status: 'SUCCEEDED', output: null, error: null });
    const { values } = engineWritesQuery(w);
    expect(JSON.parse(values[0] as string)).toEqual([{ command_id: 'c', status: 'TIMED_OUT', output: null, error: null }]);
  });

  it('checks every instance update against its row version', () => {
    const w = emptyWrites();
    w.updates.push({ sagaId: 's', expectedRowVersion: 3, status: 'RUNNING', state: {}, finished: false, nextDueAt: 5, nextDueParticipant: 'p' });
    const { text } = engineWritesQuery(w);
    expect(text).toContain('s.row_version = u.expected');
    expect(text).toContain('(select count(*) from updated)::int as updated');
  });

  it('notifies the settled-saga channel for exactly the updates that settle a saga, and only then', () => {
    const w = emptyWrites();
    w.updates.push({ sagaId: 'a', expectedRowVersion: 1, status: 'RUNNING', state: {}, finished: false, nextDueAt: null, nextDueParticipant: null });
    expect(engineWritesQuery(w).text).not.toContain('pg_notify');
    w.updates.push({ sagaId: 'b', expectedRowVersion: 1, status: 'COMPLETED', state: {}, finished: true, nextDueAt: null, nextDueParticipant: null, settles: true });
    const { text, values } = engineWritesQuery(w);
    expect(text).toContain(`notified as (select pg_notify('${SAGA_SETTLED_CHANNEL}', id) from unnest($2::text[]) as id)`);
    // A select CTE runs only when the statement refers to it.
    expect(text).toContain('(select count(*) from notified)::int as notified');
    expect(values[1]).toEqual(['b']);
  });

  it('names each shape of the statement distinctly within the 63 characters PostgreSQL keeps', () => {
    const w = emptyWrites();
    w.updates.push({ sagaId: 'b', expectedRowVersion: 1, status: 'COMPLETED', state: {}, finished: true, nextDueAt: null, nextDueParticipant: null, settles: true });
    w.history.push({ sagaId: 'b', eventType: 'e', event: {}, statusBefore: null, statusAfter: null, verdict: 'applied', verdictCode: null, verdictReason: null, actor: 'a' });
    w.attempts.push({ sagaId: 'b', step: 's', action: 'execute', attempt: 1, commandId: 'c', deadlineAt: 1 });
    w.attemptResults.push({ commandId: 'c', status: 'SUCCEEDED', output: null, error: null });
    w.outbox.push({ topic: 't', key: 'k', value: 'v', headers: {} });
    w.publishedBatchIds.push('1');
    w.deadLetters.push({ reasonCode: 'r', reason: 'r', by: 'b', sourceTopic: 't', sourcePartition: 0, sourceOffset: '0', key: null, valueExcerpt: null, valueBytes: 0 });
    const all = engineWritesQuery(w).name;
    expect(all).toBe('engine-writes:uharbpdn');
    w.deadLetters = [];
    expect(engineWritesQuery(w).name).not.toBe(all);
  });
});
