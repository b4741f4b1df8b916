// GET /v1/sagas/:id (the full picture of one saga) and GET /v1/sagas (filters and
// cursor pagination that stays stable while sagas are being created).
import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import type { CommandMessage } from '@saga-coordinator/participant/protocol';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { ApiTestApp, KEYS, orderDefinition, startApiTestApp } from './support/api-test-app';

interface Summary {
  sagaId: string;
  status: string;
  createdAt: string;
  businessKey: string | null;
  definition: { name: string; version: number };
}

describe('reading sagas', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp(['orders', 'payments', 'stock']);
  });

  afterAll(async () => {
    await api?.close();
  });

  async function register(def = orderDefinition()) {
    await api.as('admin').post('/v1/definitions', def).expect(201);
    return def;
  }

  async function start(definition: string, input: object = {}, businessKey?: string): Promise<string> {
    const res = await api.as('operator').post('/v1/sagas', { definition, input, ...(businessKey ? { businessKey } : {}) }).expect(201);
    return res.body.sagaId;
  }

  describe('GET /v1/sagas/:sagaId', () => {
    it('shows a completed saga: every step with its attempts, timings and outputs, and the full history with actors', async () => {
      const def = await register();
      api.h.participants.on(def.name, (cmd) => ({ outcome: 'success', output: { done: cmd.step } }));
      const sagaId = await start(def.name, { orderId: 'o-7' }, 'order-o-7');
      await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED']);

      const res = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
      const saga = res.body;
      expect(saga).toMatchObject({
        sagaId,
        definition: { name: def.name, version: 1 },
        status: 'COMPLETED',
        businessKey: 'order-o-7',
        idempotencyKey: `business-key:${def.name}:order-o-7`,
        input: { orderId: 'o-7' },
        currentStep: null,
        currentSteps: [],
        compensationReason: null,
        escalation: null,
        deadlineAt: null,
      });
      expect(new Date(saga.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(saga.startedAt).getTime());
      expect(saga.steps.map((s: { name: string; status: string; participant: string; phase: string }) => [s.name, s.status, s.participant, s.phase])).toEqual([
        ['createOrder', 'SUCCEEDED', 'orders', 'compensatable'],
        ['charge', 'SUCCEEDED', 'payments', 'compensatable'],
        ['reserve', 'SUCCEEDED', 'stock', 'compensatable'],
      ]);
      const charge = saga.steps[1];
      expect(charge).toMatchObject({ attempt: 1, compensationAttempt: 0, input: { orderId: 'o-7' }, output: { done: 'charge' }, lastError: null, needsAttention: null, override: null });
      expect(charge.attempts).toEqual([
        {
          action: 'execute',
          attempt: 1,
          commandId: `${sagaId}:charge:execute:1`,
          status: 'SUCCEEDED',
          sentAt: expect.any(String),
          deadlineAt: expect.any(String),
          repliedAt: expect.any(String),
          durationMs: expect.any(Number),
          output: { done: 'charge' },
          error: null,
        },
      ]);
      expect(charge.attempts[0].durationMs).toBe(new Date(charge.attempts[0].repliedAt).getTime() - new Date(charge.attempts[0].sentAt).getTime());
      expect(saga.history.map((h: { eventType: string; actor: string; statusAfter: string }) => [h.eventType, h.actor, h.statusAfter])).toEqual([
        ['SagaStarted', `api-key:${KEYS.operator.name}`, 'RUNNING'],
        ['StepReplied', 'participant:createOrder', 'RUNNING'],
        ['StepReplied', 'participant:charge', 'RUNNING'],
        ['StepReplied', 'participant:reserve', 'COMPLETED'],
      ]);
      expect(saga.history[2].event).toMatchObject({ type: 'StepReplied', step: 'charge', outcome: 'success', output: { done: 'charge' } });
    });

    it('shows a saga that compensated: the failed step with its error, the compensations, and why', async () => {
      const def = await register();
      api.h.participants.on(def.name, (cmd) =>
        cmd.step === 'charge' && cmd.action === 'execute' ? { outcome: 'failure', error: { code: 'DECLINED', message: 'card declined' } } : { outcome: 'success', output: { ok: cmd.step } },
      );
      const sagaId = await start(def.name, { orderId: 'o-8' });
      await waitForSagaStatus(api.h.pool, sagaId, ['COMPENSATED']);
      const { body } = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
      expect(body.status).toBe('COMPENSATED');
      expect(body.compensationReason).toMatchObject({ cause: 'step-failed', step: 'charge', by: null, at: expect.any(String) });
      const [createOrder, charge, reserve] = body.steps;
      expect(createOrder.status).toBe('COMPENSATED');
      expect(createOrder.attempts.map((a: { action: string; attempt: number; status: string }) => [a.action, a.attempt, a.status])).toEqual([
        ['execute', 1, 'SUCCEEDED'],
        ['compensate', 1, 'SUCCEEDED'],
      ]);
      expect(createOrder.compensatedAt).toEqual(expect.any(String));
      expect(charge).toMatchObject({ status: 'FAILED', lastError: { action: 'execute', attempt: 1, code: 'DECLINED', message: 'card declined', at: expect.any(String) } });
      expect(charge.attempts).toEqual([expect.objectContaining({ action: 'execute', status: 'FAILED', error: { code: 'DECLINED', message: 'card declined' } })]);
      expect(reserve).toMatchObject({ status: 'SKIPPED', attempts: [] });
    });

    it('shows the current step of a running saga and its attempt in flight', async () => {
      const def = await register();
      api.h.participants.on(def.name, (cmd) => (cmd.step === 'charge' ? 'drop' : { outcome: 'success' }));
      const sagaId = await start(def.name);
      await waitFor('charge to be sent', async () => (api.h.participants.commandsOf(sagaId).some((c) => c.step === 'charge') ? true : undefined));
      const { body } = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
      expect(body).toMatchObject({ status: 'RUNNING', currentStep: 'charge', currentSteps: ['charge'], finishedAt: null });
      expect(body.steps[1]).toMatchObject({ status: 'RUNNING', attempt: 1, dueAt: expect.any(String) });
      expect(body.steps[1].attempts).toEqual([expect.objectContaining({ status: 'SENT', repliedAt: null, durationMs: null })]);
      expect(body.steps[2]).toMatchObject({ status: 'PENDING', startedAt: null, attempts: [] });
      // Let it finish so the test leaves nothing waiting.
      const cmd = api.h.participants.commandsOf(sagaId).find((c: CommandMessage) => c.step === 'charge')!;
      await api.h.participants.sendRaw(JSON.stringify(api.h.participants.reply(cmd, { outcome: 'success' })), sagaId);
      await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED']);
    });

    it('answers 404 SAGA_NOT_FOUND for an unknown id and 400 for an id that is not a UUID', async () => {
      const id = randomUUID();
      const missing = await api.as('viewer').get(`/v1/sagas/${id}`).expect(404);
      expect(missing.body).toMatchObject({ status: 404, code: 'SAGA_NOT_FOUND', detail: `no saga instance ${id}`, sagaId: id, instance: `/v1/sagas/${id}` });
      const bad = await api.as('viewer').get('/v1/sagas/12345').expect(400);
      expect(bad.body.errors).toEqual([{ field: 'sagaId', message: 'sagaId must be a UUID' }]);
    });
  });

  describe('GET /v1/sagas', () => {
    async function listAll(query: string, limit = 100): Promise<Summary[]> {
      const items: Summary[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await api.as('viewer').get(`/v1/sagas?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        items.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor);
      return items;
    }

    it('filters by definition, status (several), business key and creation time, newest first', async () => {
      const a = await register();
      const b = await register();
      api.h.participants.on(b.name, (cmd) => (cmd.step === 'charge' ? { outcome: 'failure', error: { message: 'no' } } : { outcome: 'success' }));
      const a1 = await start(a.name, {}, 'shared-key');
      const a2 = await start(a.name);
      const b1 = await start(b.name, {}, 'shared-key');
      await Promise.all([a1, a2].map((id) => waitForSagaStatus(api.h.pool, id, ['COMPLETED'])));
      await waitForSagaStatus(api.h.pool, b1, ['COMPENSATED']);

      expect((await listAll(`definition=${a.name}`)).map((s) => s.sagaId)).toEqual([a2, a1]);
      expect((await listAll(`definition=${b.name}&status=COMPLETED`)).map((s) => s.sagaId)).toEqual([]);
      expect((await listAll(`definition=${b.name}&status=COMPLETED&status=COMPENSATED`)).map((s) => s.sagaId)).toEqual([b1]);
      expect((await listAll(`definition=${b.name}&status=COMPLETED,COMPENSATED`)).map((s) => s.sagaId)).toEqual([b1]);
      expect((await listAll('businessKey=shared-key')).map((s) => s.sagaId)).toEqual([b1, a1]);
      expect((await listAll(`idempotencyKey=${encodeURIComponent(`business-key:${b.name}:shared-key`)}`)).map((s) => s.sagaId)).toEqual([b1]);
      expect(await listAll('idempotencyKey=never-used')).toEqual([]);

      const created = (await api.h.pool.query('select saga_id, created_at from saga_instances where saga_id = any($1::uuid[]) order by created_at', [[a1, a2, b1]])).rows;
      const a2At = created.find((r) => r.saga_id === a2).created_at as Date;
      const from = encodeURIComponent(a2At.toISOString());
      const since = await listAll(`createdFrom=${from}&businessKey=shared-key`);
      expect(since.map((s) => s.sagaId)).toEqual(created.filter((r) => r.created_at >= a2At && r.saga_id !== a2).map((r) => r.saga_id).reverse());
      const before = await listAll(`createdTo=${from}&definition=${a.name}`);
      expect(before.map((s) => s.sagaId)).toEqual(created.filter((r) => r.created_at < a2At && r.saga_id === a1).map((r) => r.saga_id));
      const page = await api.as('viewer').get(`/v1/sagas?definition=${a.name}`).expect(200);
      expect(page.body.items[0]).toEqual({
        sagaId: a2,
        definition: { name: a.name, version: 1 },
        status: 'COMPLETED',
        businessKey: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        finishedAt: expect.any(String),
      });
      expect(page.body.nextCursor).toBeNull();
    });

    it('pages with a cursor without skipping or repeating a saga while new sagas are being created', async () => {
      const def = await register();
      const existing: string[] = [];
      for (let i = 0; i < 24; i++) existing.push(await start(def.name, { i }));
      // Sagas created in bursts during the paging, some in the same millisecond.
      const seen: Summary[] = [];
      let cursor: string | null = null;
      let pages = 0;
      const added: string[] = [];
      do {
        const burst = await Promise.all(Array.from({ length: 3 }, (_, k) => api.as('operator').post('/v1/sagas', { definition: def.name, input: { page: pages, k } }).expect(201)));
        added.push(...burst.map((r) => r.body.sagaId));
        const res: request.Response = await api.as('viewer').get(`/v1/sagas?definition=${def.name}&limit=5${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(5);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 50);

      const ids = seen.map((s) => s.sagaId);
      expect(new Set(ids).size).toBe(ids.length); // nothing twice
      for (const id of existing) expect(ids).toContain(id); // nothing that existed is skipped
      expect(ids.every((id) => existing.includes(id) || added.includes(id))).toBe(true);
      // Strictly newest first, in the (createdAt, sagaId) order the cursor follows.
      const order = await api.h.pool.query('select saga_id from saga_instances where saga_id = any($1::uuid[]) order by created_at desc, saga_id desc', [ids]);
      expect(order.rows.map((r) => r.saga_id)).toEqual(ids);
    });

    it('refuses bad filters with 400 naming each field, and a cursor it did not issue', async () => {
      const res = await api.as('viewer').get('/v1/sagas?status=DONE&limit=0&createdFrom=yesterday&createdTo=2026-W01&definition=-x').expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(expect.arrayContaining(['createdFrom', 'createdTo', 'definition', 'limit', 'status']));
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field: 'status', message: 'status must be one of RUNNING, COMPENSATING, COMPLETED, COMPENSATED, FAILED' }]));
      await api.as('viewer').get('/v1/sagas?limit=201').expect(400);
      for (const cursor of ['nonsense', Buffer.from('["2026-01-01", "x"]').toString('base64url'), 'a'.repeat(300)]) {
        const bad = await api.as('viewer').get(`/v1/sagas?cursor=${cursor}`).expect(400);
        expect(bad.body.errors).toEqual([{ field: 'cursor', message: 'cursor is not a cursor returned by this API (use nextCursor of the previous page)' }]);
      }
    });
  });
});
