// Waiting for a saga's result: POST /v1/sagas?wait=… and GET /v1/sagas/{id}/result?wait=…,
// with a saga output and conditional steps, against real PostgreSQL and Kafka, on the
// replica that ran the saga and on a second replica of the same coordinator.
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../../src/bootstrap';
import { CoordinatorModule } from '../../../src/coordinator/coordinator.module';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { testConfig } from '../../support/test-infra';
import type { Behaviour } from '../../support/test-participant';
import { API_KEYS_ENV, ApiTestApp, KEYS, startApiTestApp, uniqueDefinitionName } from './support/api-test-app';

const FAST = { retry: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 100, multiplier: 2, jitter: 0, minRetryWindowMs: 0 }, timeoutMs: 5_000 };

/** create order -> (express only when asked for) -> charge; the output says what happened. */
function shopDefinition(name = uniqueDefinitionName('shop'), extra: Partial<SagaDefinition> = {}): SagaDefinition {
  return {
    name,
    minCompensationWindowMs: 0,
    output: { orderId: '$.steps.createOrder.output.orderId', express: '$.steps.express.output', paid: '$.steps.charge.output.paid' },
    steps: [
      { name: 'createOrder', participant: 'orders', command: 'order.create', compensation: 'order.cancel', ...FAST },
      { name: 'express', participant: 'orders', command: 'order.express', compensation: 'order.standard', when: { ref: '$.input.express', equals: true }, ...FAST },
      { name: 'charge', participant: 'payments', command: 'payment.charge', compensation: 'payment.refund', ...FAST },
    ],
    ...extra,
  };
}

describe('waiting for a saga result', () => {
  let api: ApiTestApp;
  const shop = shopDefinition();

  beforeAll(async () => {
    api = await startApiTestApp(['orders', 'payments'], { API_MAX_WAIT_MS: '30000' });
    api.h.participants.on(shop.name, (cmd): ReturnType<Behaviour> => {
      const input = cmd.payload as { amount?: number };
      if (cmd.action === 'compensate') return { outcome: 'success' };
      if (cmd.commandType === 'order.create') return { outcome: 'success', output: { orderId: `o-${cmd.sagaId.slice(0, 8)}` } };
      if (cmd.commandType === 'order.express') return { outcome: 'success', output: { carrier: 'dhl' } };
      if ((input.amount ?? 0) > 100) return { outcome: 'failure', error: { code: 'INSUFFICIENT_CREDIT', message: 'no credit' } };
      return { outcome: 'success', output: { paid: input.amount ?? 0 } };
    });
    await api.as('admin').post('/v1/definitions', shop).expect(201);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('POST ?wait answers 200 when the saga completes: its output, and a skipped step reads as null', async () => {
    const res = await api.as('operator').post('/v1/sagas?wait=20s', { definition: shop.name, input: { amount: 30, express: false } }).set('Idempotency-Key', 'wait-1').expect(200);
    const sagaId: string = res.body.sagaId;
    expect(res.headers.location).toBe(`/v1/sagas/${sagaId}`);
    expect(res.body).toEqual({
      sagaId,
      definition: { name: shop.name, version: 1 },
      status: 'COMPLETED',
      settled: true,
      created: true,
      businessKey: null,
      idempotencyKey: 'wait-1',
      output: { orderId: `o-${sagaId.slice(0, 8)}`, express: null, paid: 30 },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    const detail = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(200);
    expect(detail.body.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['createOrder:SUCCEEDED', 'express:SKIPPED', 'charge:SUCCEEDED']);
    expect(api.h.participants.commandsOf(sagaId).map((c) => c.step)).not.toContain('express');
  });

  it('runs a conditional step whose condition holds, and its output is in the saga output', async () => {
    const res = await api.as('operator').post('/v1/sagas?wait=20s', { definition: shop.name, input: { amount: 10, express: true } }).expect(200);
    expect(res.body).toMatchObject({ status: 'COMPLETED', output: { express: { carrier: 'dhl' }, paid: 10 } });
  });

  it('answers a compensated saga with its reason and no output, never compensating the skipped step', async () => {
    const res = await api.as('operator').post('/v1/sagas?wait=20s', { definition: shop.name, input: { amount: 500, express: false } }).expect(200);
    expect(res.body).toMatchObject({ status: 'COMPENSATED', settled: true, reason: { cause: 'step-failed', step: 'charge', message: expect.stringContaining('no credit') } });
    expect(res.body).not.toHaveProperty('output');
    const commands = api.h.participants.commandsOf(res.body.sagaId).map((c) => `${c.step}:${c.action}`);
    expect(commands).toContain('createOrder:compensate');
    expect(commands.filter((c) => c.startsWith('express'))).toEqual([]);
  });

  it('answers 202 with the saga as it stands and a Location to poll when the wait runs out; GET …/result?wait= then gets the result', async () => {
    const slow = shopDefinition(uniqueDefinitionName('slow'), { steps: [{ name: 'createOrder', participant: 'orders', command: 'order.create', ...FAST, timeoutMs: 1_500 }] });
    slow.output = { orderId: '$.steps.createOrder.output.orderId' };
    // The first attempt is never answered: the saga completes only after it times out and is retried.
    api.h.participants.on(slow.name, (cmd) => (cmd.attempt === 1 ? 'drop' : { outcome: 'success', output: { orderId: 'late' } }));
    await api.as('admin').post('/v1/definitions', slow).expect(201);
    const first = await api.as('operator').post('/v1/sagas?wait=200ms', { definition: slow.name, input: {} }).expect(202);
    const sagaId: string = first.body.sagaId;
    expect(first.headers.location).toBe(`/v1/sagas/${sagaId}/result`);
    expect(first.body).toMatchObject({ sagaId, status: 'RUNNING', settled: false, created: true });
    expect(first.body).not.toHaveProperty('output');
    const now = await api.as('viewer').get(first.headers.location).expect(202);
    expect(now.body).toMatchObject({ status: 'RUNNING', settled: false });
    const done = await api.as('viewer').get(`${first.headers.location}?wait=20s`).expect(200);
    expect(done.body).toMatchObject({ sagaId, status: 'COMPLETED', settled: true, output: { orderId: 'late' } });
  });

  it('refuses a wait above API_MAX_WAIT_MS or malformed, naming the field, and starts nothing', async () => {
    const before = (await api.h.pool.query('select count(*)::int as n from saga_instances')).rows[0].n as number;
    const long = await api.as('operator').post('/v1/sagas?wait=2m', { definition: shop.name, input: { amount: 1 } }).expect(400);
    expect(long.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'wait', message: 'wait must be at most 30000 ms (API_MAX_WAIT_MS)' }] });
    const bad = await api.as('operator').post('/v1/sagas?wait=soon', { definition: shop.name, input: { amount: 1 } }).expect(400);
    expect(bad.body.errors).toEqual([{ field: 'wait', message: 'wait must be a duration such as 10s, 500ms or 2m' }]);
    expect((await api.h.pool.query('select count(*)::int as n from saga_instances')).rows[0].n).toBe(before);
    await api.as('viewer').get('/v1/sagas/00000000-0000-4000-8000-000000000000/result?wait=1s').expect(404);
  });

  it('holds many waiting requests on one listener connection and wakes them all when their sagas settle', async () => {
    const held = shopDefinition(uniqueDefinitionName('held'));
    let release = false;
    const parked: string[] = [];
    api.h.participants.on(held.name, (cmd): ReturnType<Behaviour> => {
      if (cmd.commandType === 'order.create') return { outcome: 'success', output: { orderId: 'x' } };
      if (!release) {
        parked.push(cmd.sagaId);
        return 'drop';
      }
      return { outcome: 'success', output: { paid: 1 } };
    });
    await api.as('admin').post('/v1/definitions', { ...held, steps: held.steps.map((s) => ({ ...s, timeoutMs: 3_000 })) }).expect(201);
    const ids: string[] = [];
    // 15 sagas, each dropped at most once: fewer timeouts in a row than BREAKER_FAILURE_THRESHOLD
    // (20), so the participant's breaker stays closed (with 20, a loaded box dropped all of them
    // and the breaker's 30 s cool-down outlasted the waits).
    for (let i = 0; i < 15; i++) ids.push((await api.as('operator').post('/v1/sagas', { definition: held.name, input: { amount: 1 } }).expect(201)).body.sagaId);
    const waits = ids.flatMap((id) => [0, 1, 2, 3].map(() => api.as('viewer').get(`/v1/sagas/${id}/result?wait=25s`).then((r) => r)));
    // 60 requests are waiting: one LISTEN connection holds them, whatever their number.
    await new Promise((r) => setTimeout(r, 500));
    const listeners = await api.h.pool.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'saga-coordinator-listener'");
    expect(listeners.rows[0].n).toBe(1);
    release = true;
    const answers = await Promise.all(waits);
    expect(answers.map((r) => `${r.status}:${r.body.status}`)).toEqual(answers.map(() => '200:COMPLETED'));
    expect(parked.length).toBeGreaterThan(0);
  });

  it('answers waiting requests with the saga as it stands when the replica shuts down, instead of holding the shutdown', async () => {
    const stuck = shopDefinition(uniqueDefinitionName('stuck'));
    api.h.participants.on(stuck.name, () => 'drop');
    await api.as('admin').post('/v1/definitions', { ...stuck, steps: stuck.steps.map((st) => ({ ...st, timeoutMs: 60_000 })) }).expect(201);
    const sagaId = (await api.as('operator').post('/v1/sagas', { definition: stuck.name, input: { amount: 1 } }).expect(201)).body.sagaId as string;
    const replica = await createApp(testConfig({ DATABASE_URL: api.h.db.url, KAFKA_TOPIC_PREFIX: api.h.prefix, API_KEYS: API_KEYS_ENV, API_MAX_WAIT_MS: '30000' }));
    await replica.init();
    await replica.listen(0, '127.0.0.1');
    await replica.get(CoordinatorModule).consuming;
    const began = Date.now();
    const waiting = request(replica.getHttpServer()).get(`/v1/sagas/${sagaId}/result?wait=30s`).set('Authorization', `Bearer ${KEYS.viewer.key}`).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    await replica.close();
    const res = await waiting;
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ sagaId, status: 'RUNNING', settled: false });
    // It did not wait out its 30 s: the shutdown answered it.
    expect(Date.now() - began).toBeLessThan(25_000);
  });

  it('still answers a waiting request when the listener connection is cut while it waits', async () => {
    const cut = shopDefinition(uniqueDefinitionName('cut'));
    let release = false;
    api.h.participants.on(cut.name, (cmd): ReturnType<Behaviour> => (release || cmd.commandType === 'order.create' ? { outcome: 'success', output: { orderId: 'c', paid: 1 } } : 'drop'));
    await api.as('admin').post('/v1/definitions', { ...cut, steps: cut.steps.map((st) => ({ ...st, timeoutMs: 1_000 })) }).expect(201);
    const sagaId = (await api.as('operator').post('/v1/sagas', { definition: cut.name, input: { amount: 1 } }).expect(201)).body.sagaId as string;
    const waiting = api.as('viewer').get(`/v1/sagas/${sagaId}/result?wait=25s`).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const killed = await api.h.pool.query("select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = current_database() and application_name = 'saga-coordinator-listener'");
    expect(killed.rows).toEqual([{ ok: true }]);
    release = true;
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sagaId, status: 'COMPLETED' });
  });

  describe('on a second replica', () => {
    let second: INestApplication;

    beforeAll(async () => {
      second = await createApp(testConfig({ DATABASE_URL: api.h.db.url, KAFKA_TOPIC_PREFIX: api.h.prefix, API_KEYS: API_KEYS_ENV, API_MAX_WAIT_MS: '30000' }));
      await second.init();
      await second.listen(0, '127.0.0.1');
      // Closing a replica while its consumer is still joining the group leaves kafkajs retrying after the test.
      await second.get(CoordinatorModule).consuming;
    });

    afterAll(async () => {
      await second?.close();
    });

    it('answers a wait for a saga started on the first replica, when it settles', async () => {
      const started = await api.as('operator').post('/v1/sagas', { definition: shop.name, input: { amount: 40, express: true } }).expect(201);
      const res = await request(second.getHttpServer()).get(`/v1/sagas/${started.body.sagaId}/result?wait=20s`).set('Authorization', `Bearer ${KEYS.viewer.key}`).expect(200);
      expect(res.body).toMatchObject({ sagaId: started.body.sagaId, status: 'COMPLETED', output: { paid: 40, express: { carrier: 'dhl' } } });
    });
  });
});
