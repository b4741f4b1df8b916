// POST /v1/bulk-operations: one action over every saga a filter matches — e.g. retry
// every saga of definition X stuck in compensation — with a dry run that changes nothing.
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { waitForSagaStatus } from '../../support/saga-waits';
import { ApiTestApp, KEYS, orderDefinition, startApiTestApp } from './support/api-test-app';

interface BulkResult {
  sagaId: string;
  statusBefore: string;
  result: string;
  code: string | null;
  detail: string | null;
  statusAfter: string;
}

describe('POST /v1/bulk-operations', () => {
  let api: ApiTestApp;
  let x: SagaDefinition;
  let y: SagaDefinition;
  const stuckX: string[] = [];
  let completedX: string;
  let stuckY: string;
  let repaired = false;

  beforeAll(async () => {
    api = await startApiTestApp(['orders', 'payments', 'stock']);
    x = orderDefinition(undefined, { maxCompensationAttempts: 1 });
    y = orderDefinition(undefined, { maxCompensationAttempts: 1 });
    for (const def of [x, y]) {
      await api.as('admin').post('/v1/definitions', def).expect(201);
      // reserve fails when asked to; undoing createOrder fails until `repaired`.
      api.h.participants.on(def.name, (cmd) => {
        const input = cmd.payload as { fail?: boolean; input?: { fail?: boolean } };
        if (cmd.step === 'reserve' && cmd.action === 'execute' && input.fail) return { outcome: 'failure', error: { message: 'out of stock' } };
        if (cmd.step === 'createOrder' && cmd.action === 'compensate' && !repaired) return { outcome: 'retry', error: { message: 'orders db read-only' } };
        return { outcome: 'success' };
      });
    }
    const start = async (def: SagaDefinition, fail: boolean) => (await api.as('operator').post('/v1/sagas', { definition: def.name, input: { fail } }).expect(201)).body.sagaId as string;
    for (let i = 0; i < 3; i++) stuckX.push(await start(x, true));
    completedX = await start(x, false);
    stuckY = await start(y, true);
    await Promise.all([...stuckX, stuckY].map((id) => waitForSagaStatus(api.h.pool, id, ['FAILED'])));
    await waitForSagaStatus(api.h.pool, completedX, ['COMPLETED']);
  });

  afterAll(async () => {
    await api?.close();
  });

  const statuses = async (ids: string[]) => (await api.h.pool.query('select status from saga_instances where saga_id = any($1::uuid[])', [ids])).rows.map((r) => r.status);
  const retryCount = async (ids: string[]) => (await api.h.pool.query("select count(*)::int as n from saga_history where saga_id = any($1::uuid[]) and event_type = 'RetryRequested'", [ids])).rows[0].n;

  it('dry run: reports what retrying every FAILED saga of X would do, and changes nothing', async () => {
    const commandsBefore = api.h.participants.received.length;
    const res = await api.as('operator').post('/v1/bulk-operations', { operation: 'retry', filter: { definition: x.name, status: ['FAILED'] }, reason: 'orders db fixed', dryRun: true }).expect(200);
    expect(res.body).toMatchObject({ operation: 'retry', dryRun: true, matched: 3, counts: { applied: 0, wouldApply: 3, noOp: 0, refused: 0 }, nextCursor: null });
    expect((res.body.results as BulkResult[]).map((r) => r.sagaId).sort()).toEqual([...stuckX].sort());
    for (const r of res.body.results as BulkResult[]) {
      expect(r).toEqual({ sagaId: r.sagaId, definition: { name: x.name, version: 1 }, statusBefore: 'FAILED', result: 'would-apply', code: null, detail: null, statusAfter: 'COMPENSATING' });
    }
    expect(await statuses(stuckX)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(await retryCount(stuckX)).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(api.h.participants.received.length).toBe(commandsBefore);
  });

  it('dry run: reports which sagas would refuse, with the code a single action would give', async () => {
    const res = await api.as('operator').post('/v1/bulk-operations', { operation: 'retry', filter: { definition: x.name }, reason: 'check', dryRun: true }).expect(200);
    expect(res.body.counts).toEqual({ applied: 0, wouldApply: 3, noOp: 0, refused: 1 });
    const refused = (res.body.results as BulkResult[]).find((r) => r.sagaId === completedX);
    expect(refused).toMatchObject({ statusBefore: 'COMPLETED', result: 'refused', code: 'SAGA_FINISHED', detail: 'saga is already COMPLETED', statusAfter: 'COMPLETED' });
  });

  it('pages through the matches with a cursor', async () => {
    const body = { operation: 'resume', filter: { definition: x.name, status: ['FAILED'] }, reason: 'paging', dryRun: true, limit: 2 };
    const first = await api.as('operator').post('/v1/bulk-operations', body).expect(200);
    expect(first.body.matched).toBe(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.as('operator').post('/v1/bulk-operations', { ...body, cursor: first.body.nextCursor }).expect(200);
    expect(second.body.matched).toBe(1);
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.results, ...second.body.results].map((r: BulkResult) => r.sagaId).sort()).toEqual([...stuckX].sort());
  });

  it('retries every saga of X stuck in compensation, each recorded with who and why, and leaves other sagas alone', async () => {
    repaired = true;
    const res = await api.as('operator').post('/v1/bulk-operations', { operation: 'retry', filter: { definition: x.name, status: ['FAILED'] }, reason: 'orders db fixed' }).expect(200);
    expect(res.body).toMatchObject({ dryRun: false, matched: 3, counts: { applied: 3, wouldApply: 0, noOp: 0, refused: 0 } });
    for (const id of stuckX) expect(await waitForSagaStatus(api.h.pool, id, ['COMPENSATED', 'FAILED'], 10_000)).toBe('COMPENSATED');
    const history = await api.h.pool.query("select saga_id, actor, event, verdict from saga_history where saga_id = any($1::uuid[]) and event_type = 'RetryRequested'", [stuckX]);
    expect(history.rows).toHaveLength(3);
    for (const h of history.rows) {
      expect(h).toMatchObject({ actor: `api-key:${KEYS.operator.name}`, verdict: 'applied', event: { type: 'RetryRequested', by: KEYS.operator.name, reason: 'orders db fixed' } });
    }
    expect(await statuses([stuckY])).toEqual(['FAILED']);
    expect(await retryCount([stuckY, completedX])).toBe(0);
    // Run again: nothing is left to retry; each saga says why.
    const again = await api.as('operator').post('/v1/bulk-operations', { operation: 'retry', filter: { sagaIds: stuckX }, reason: 'again' }).expect(200);
    expect(again.body.counts).toEqual({ applied: 0, wouldApply: 0, noOp: 0, refused: 3 });
    expect(new Set((again.body.results as BulkResult[]).map((r) => r.code))).toEqual(new Set(['SAGA_FINISHED']));
  });

  it('validates: an operation it supports, a filter with a criterion, step only with retry, well-formed fields', async () => {
    const post = (body: object) => api.as('operator').post('/v1/bulk-operations', body).expect(400);
    expect((await post({ operation: 'override', filter: { definition: x.name }, reason: 'x' })).body.errors).toEqual([
      { field: 'operation', message: 'operation must be one of the following values: cancel, retry, resume' },
    ]);
    expect((await post({ operation: 'cancel', filter: {}, reason: 'everything?' })).body.errors).toEqual([
      { field: 'filter', message: 'filter must name at least one of definition, status, businessKey, sagaIds, createdFrom, createdTo' },
    ]);
    expect((await post({ operation: 'cancel', reason: 'no filter' })).body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'filter' })]));
    expect((await post({ operation: 'cancel', filter: { definition: x.name }, step: 'charge', reason: 'x' })).body.errors).toEqual([
      { field: 'step', message: 'step is only allowed with retry, not with cancel' },
    ]);
    const nested = await post({ operation: 'retry', filter: { status: ['STUCK'], sagaIds: ['nope'], colour: 'red' }, reason: 'x', dryRun: 'yes', limit: 5000 });
    expect(nested.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'filter.status', message: 'status must be one of QUEUED, RUNNING, COMPENSATING, COMPLETED, COMPENSATED, FAILED' },
        { field: 'filter.sagaIds', message: 'each of sagaIds must be a UUID' },
        { field: 'filter.colour', message: 'property colour should not exist' },
        { field: 'dryRun', message: 'dryRun must be a boolean value' },
        { field: 'limit', message: 'limit must not be greater than 1000' },
      ]),
    );
    await api.as('viewer').post('/v1/bulk-operations', { operation: 'retry', filter: { definition: x.name }, reason: 'x', dryRun: true }).expect(403);
  });
});
