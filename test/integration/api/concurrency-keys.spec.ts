// One saga at a time per concurrency key, through the REST API against real PostgreSQL and
// Kafka: QUEUED sagas are visible and cancellable, start when the one before them ends, in
// acceptance order; sagas without a key, or with another, are not held up.
import { waitForSagaStatus } from '../../support/saga-waits';
import type { Behaviour } from '../../support/test-participant';
import { ApiTestApp, startApiTestApp, uniqueDefinitionName } from './support/api-test-app';

const FAST = { retry: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 100, multiplier: 2, jitter: 0, minRetryWindowMs: 0 } };

describe('concurrency keys', () => {
  let api: ApiTestApp;
  const name = uniqueDefinitionName('transfer');
  // Debits of these accounts are not answered: the saga holding the key stays RUNNING.
  let hold = new Set(['A']);
  const held: string[] = [];

  beforeAll(async () => {
    api = await startApiTestApp(['accounts']);
    api.h.participants.on(name, (cmd): ReturnType<Behaviour> => {
      if (cmd.step === 'debit' && cmd.action === 'execute' && hold.has((cmd.payload as { account?: string }).account ?? '')) {
        held.push(cmd.sagaId);
        return 'drop';
      }
      return { outcome: 'success', output: { step: cmd.step } };
    });
    await api.as('admin').post('/v1/definitions', {
      name,
      concurrencyKey: '$.input.account',
      output: { account: '$.input.account' },
      steps: [
        { name: 'debit', participant: 'accounts', command: 'account.debit', compensation: 'account.refund', timeoutMs: 1_000, ...FAST },
        { name: 'credit', participant: 'accounts', command: 'account.credit', ...FAST },
      ],
    }).expect(201);
  });

  afterAll(async () => {
    await api?.close();
  });

  const start = async (input: object, extra: object = {}) => (await api.as('operator').post('/v1/sagas', { definition: name, input, ...extra }).expect(201)).body as { sagaId: string; status: string };

  it('runs sagas with one key one at a time in acceptance order; QUEUED ones are listed and cancellable; others run at once', async () => {
    const a1 = await start({ account: 'A' });
    const a2 = await start({ account: 'A' });
    const a3 = await start({ account: 'A' });
    const a4 = await start({ account: 'A' });
    const b1 = await start({ account: 'B' });
    const none = await start({});
    expect([a1, a2, a3, a4, b1, none].map((s) => s.status)).toEqual(['RUNNING', 'QUEUED', 'QUEUED', 'QUEUED', 'RUNNING', 'RUNNING']);

    const queued = await api.as('viewer').get(`/v1/sagas?status=QUEUED&definition=${name}`).expect(200);
    expect(queued.body.items.map((s: { sagaId: string }) => s.sagaId).sort()).toEqual([a2.sagaId, a3.sagaId, a4.sagaId].sort());
    const detail = await api.as('viewer').get(`/v1/sagas/${a2.sagaId}`).expect(200);
    expect(detail.body).toMatchObject({ status: 'QUEUED', concurrencyKey: 'A' });
    expect(detail.body.steps.map((s: { status: string }) => s.status)).toEqual(['PENDING', 'PENDING']);

    // A queued saga is cancelled at once: nothing was sent, nothing to undo.
    const cancel = await api.as('operator').post(`/v1/sagas/${a3.sagaId}/cancel`, { reason: 'customer withdrew' }).expect(200);
    expect(cancel.body).toMatchObject({ result: 'applied', saga: { status: 'COMPENSATED' } });
    expect(api.h.participants.commandsOf(a3.sagaId)).toEqual([]);
    // Operator actions that need steps are refused with the stable code.
    const retry = await api.as('operator').post(`/v1/sagas/${a2.sagaId}/retry`, { reason: 'try now' }).expect(409);
    expect(retry.body).toMatchObject({ code: 'SAGA_QUEUED' });

    // B and the saga without a key are not held up by A.
    expect(await waitForSagaStatus(api.h.pool, none.sagaId, ['COMPLETED'])).toBe('COMPLETED');
    expect(await waitForSagaStatus(api.h.pool, b1.sagaId, ['COMPLETED'])).toBe('COMPLETED');
    expect(held.length).toBeGreaterThan(0);
    hold = new Set();
    for (const s of [a1, a2, a4]) expect(await waitForSagaStatus(api.h.pool, s.sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');

    // One at a time, in acceptance order: each A saga sent its first command after the one before it finished.
    const rows = await api.h.pool.query<{ saga_id: string; first_sent: Date; finished_at: Date }>(
      `select i.saga_id, min(a.sent_at) as first_sent, i.finished_at from saga_instances i join step_attempts a using (saga_id)
        where i.concurrency_key = 'A' group by i.saga_id, i.finished_at, i.queue_seq order by i.queue_seq`,
    );
    expect(rows.rows.map((r) => r.saga_id)).toEqual([a1.sagaId, a2.sagaId, a4.sagaId]);
    for (let i = 1; i < rows.rows.length; i++) expect(rows.rows[i].first_sent.getTime()).toBeGreaterThanOrEqual(rows.rows[i - 1].finished_at.getTime());
    const history = await api.h.pool.query("select event_type, status_after, actor from saga_history where saga_id = $1 and verdict = 'applied' order by id limit 2", [a2.sagaId]);
    expect(history.rows).toEqual([
      { event_type: 'SagaQueued', status_after: 'QUEUED', actor: expect.stringMatching(/^api-key:/) },
      { event_type: 'SagaStarted', status_after: 'RUNNING', actor: 'engine:concurrency-key' },
    ]);
  });

  it("takes a start request's own key over the definition's, and refuses a malformed one", async () => {
    hold = new Set(['C']);
    const first = await start({ account: 'C' }, { concurrencyKey: 'customer-7' });
    const second = await start({ account: 'D' }, { concurrencyKey: '$.input.customer' });
    expect(first.status).toBe('RUNNING');
    // $.input.customer is missing: no key at all, so it runs.
    expect(second.status).toBe('RUNNING');
    const third = await start({ account: 'E' }, { concurrencyKey: 'customer-7' });
    expect(third.status).toBe('QUEUED');
    const bad = await api.as('operator').post('/v1/sagas', { definition: name, input: {}, concurrencyKey: '$.steps.debit.output' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'concurrencyKey', message: expect.stringContaining('$.input') }] });
    hold = new Set();
    expect(await waitForSagaStatus(api.h.pool, third.sagaId, ['COMPLETED'])).toBe('COMPLETED');
  });
});
