// GET /metrics after real sagas over real Kafka and PostgreSQL: what a Prometheus user
// reads — counts by definition and final status, attempt durations by outcome, timeouts,
// compensations, the per-status gauge with every status of the core, consumer lag, dead
// letters by reason, pool and HTTP metrics — and never a saga id in a label.
import request from 'supertest';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { SAGA_STATUSES } from '../../../src/core/saga-status';
import type { SagaDefinition, StepDefinition } from '../../../src/core/saga-definition';
import { CoordinatorHarness, startCoordinatorHarness } from '../../support/coordinator-harness';
import { sample } from '../../support/prometheus-text';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { infraEnv, uniqueName } from '../../support/test-infra';

const FAST = { retry: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 100, multiplier: 2, jitter: 0, minRetryWindowMs: 0 }, timeoutMs: 1500 };
const STEPS: StepDefinition[] = [
  { name: 'createOrder', participant: 'orders', command: 'order.create', compensation: 'order.cancel', ...FAST },
  { name: 'charge', participant: 'payments', command: 'payment.charge', compensation: 'payment.refund', ...FAST },
];


describe('GET /metrics', () => {
  let h: CoordinatorHarness;
  let def: SagaDefinition;
  const sagaIds: string[] = [];

  beforeAll(async () => {
    h = await startCoordinatorHarness(['orders', 'payments']);
    def = { name: uniqueName('metrics').replace(/_/g, '-'), steps: STEPS };
    await h.definitions.register(def);
    // amount 1: completes; amount 2: charge fails (compensated); amount 3: charge's first attempt gets no reply (timed out, then succeeds).
    h.participants.on(def.name, (cmd, seen) => {
      const amount = (cmd.payload as { amount?: number; input?: { amount: number } }).amount ?? 0;
      if (cmd.action === 'execute' && cmd.step === 'charge' && amount === 2) return { outcome: 'failure', error: { code: 'INSUFFICIENT_CREDIT', message: 'no credit' } };
      if (cmd.action === 'execute' && cmd.step === 'charge' && amount === 3 && cmd.attempt === 1 && seen === 1) return 'drop';
      return { outcome: 'success', output: { ok: true } };
    });
    for (const amount of [1, 2, 3]) {
      const { saga } = await h.engine.start({ definition: def.name, input: { amount }, actor: 'test' });
      sagaIds.push(saga.sagaId);
    }
    for (const id of sagaIds) await waitForSagaStatus(h.pool, id, ['COMPLETED', 'COMPENSATED']);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('counts sagas, attempts, timeouts and compensations by definition, step and outcome', async () => {
    await request(h.app.getHttpServer()).get('/v1/sagas').expect(200);
    const res = await request(h.app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;/);
    expect(res.headers['content-type']).toContain('version=0.0.4');
    const text = res.text;
    const d = def.name;
    expect(sample(text, 'saga_coordinator_sagas_started_total', { definition: d, version: '1' })).toBe(3);
    expect(sample(text, 'saga_coordinator_sagas_ended_total', { definition: d, version: '1', status: 'COMPLETED' })).toBe(2);
    expect(sample(text, 'saga_coordinator_sagas_ended_total', { definition: d, version: '1', status: 'COMPENSATED' })).toBe(1);
    expect(sample(text, 'saga_coordinator_saga_compensations_started_total', { definition: d, version: '1', cause: 'step-failed' })).toBe(1);
    expect(sample(text, 'saga_coordinator_step_compensations_total', { definition: d, step: 'createOrder' })).toBe(1);
    expect(sample(text, 'saga_coordinator_step_attempts_timed_out_total', { definition: d, step: 'charge', action: 'execute' })).toBe(1);
    const durations = (step: string, action: string, outcome: string) => sample(text, 'saga_coordinator_step_attempt_duration_seconds_count', { definition: d, step, action, outcome });
    expect(durations('createOrder', 'execute', 'succeeded')).toBe(3);
    expect(durations('charge', 'execute', 'succeeded')).toBe(2);
    expect(durations('charge', 'execute', 'failed')).toBe(1);
    expect(durations('charge', 'execute', 'timed_out')).toBe(1);
    expect(durations('createOrder', 'compensate', 'succeeded')).toBe(1);
    // A timed-out attempt lasted at least its timeout.
    expect(sample(text, 'saga_coordinator_step_attempt_duration_seconds_sum', { definition: d, step: 'charge', action: 'execute', outcome: 'timed_out' })).toBeGreaterThanOrEqual(1.5);
    expect(sample(text, 'saga_coordinator_commands_sent_total', { participant: 'orders', action: 'compensate' })).toBe(1);
    expect(sample(text, 'saga_coordinator_commands_sent_total', { participant: 'payments', action: 'execute' })).toBe(4);
  });

  it('reads the database and Kafka when scraped: every status, operator gauge, outbox, timers, lag, pool', async () => {
    const text = (await request(h.app.getHttpServer()).get('/metrics').expect(200)).text;
    for (const status of SAGA_STATUSES) {
      const expected = status === 'COMPLETED' ? 2 : status === 'COMPENSATED' ? 1 : 0;
      expect([status, sample(text, 'saga_coordinator_sagas', { status, definition: def.name })]).toEqual([status, expected]);
    }
    expect(sample(text, 'saga_coordinator_sagas_needing_operator', {})).toBe(0);
    expect(sample(text, 'saga_coordinator_outbox_unsent_batches', {})).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'saga_coordinator_outbox_oldest_unsent_age_seconds', {})).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'saga_coordinator_timers_due', {})).toBe(0);
    expect(sample(text, 'saga_coordinator_timers_overdue', {})).toBe(0);
    const replies = topicNames(h.prefix).replies;
    expect(sample(text, 'saga_coordinator_consumer_lag_messages', { topic: replies, partition: '0' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'saga_coordinator_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(0);
    const participants = await waitFor('the participants seen by Kafka', async () => {
      const t = (await request(h.app.getHttpServer()).get('/metrics').expect(200)).text;
      return sample(t, 'saga_coordinator_participant_status', { participant: 'payments', status: 'healthy' }) === 1 ? t : undefined;
    });
    expect(sample(participants, 'saga_coordinator_participant_consumers', { participant: 'payments' })).toBe(1);
    expect(sample(participants, 'saga_coordinator_participant_command_lag_messages', { participant: 'payments' })).toBe(0);
    expect(sample(participants, 'saga_coordinator_participant_status', { participant: 'payments', status: 'not-consuming' })).toBe(0);
    expect(sample(text, 'saga_coordinator_http_request_duration_seconds_count', { method: 'GET', route: '/v1/sagas', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'process_cpu_seconds_total', {})).toBeGreaterThan(0);
    expect(sample(text, 'saga_coordinator_metrics_scrape_errors_total', { source: 'database' })).toBeUndefined();
    for (const id of sagaIds) expect(text).not.toContain(id);
  });

  it('counts a dead-lettered reply by its reason code', async () => {
    const bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'metrics-test' });
    await bus.connect();
    try {
      await bus.publish([{ topic: topicNames(h.prefix).replies, key: 'x', value: '{"not":"a reply"' }]);
    } finally {
      await bus.disconnect();
    }
    const replies = topicNames(h.prefix).replies;
    await waitFor('the dead letter counted', async () => {
      const text = (await request(h.app.getHttpServer()).get('/metrics').expect(200)).text;
      return sample(text, 'saga_coordinator_dead_letters_total', { reason_code: 'MALFORMED_REPLY', topic: replies }) === 1 ? true : undefined;
    });
  });
});

describe('GET /metrics with METRICS_AUTH=viewer', () => {
  let h: CoordinatorHarness;
  const viewerKey = `sck_${'v'.repeat(40)}`;

  beforeAll(async () => {
    h = await startCoordinatorHarness([], { API_KEYS: `scraper:viewer:${viewerKey}`, METRICS_AUTH: 'viewer' });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('refuses a scrape without a key and serves one with a viewer key', async () => {
    const refused = await request(h.app.getHttpServer()).get('/metrics').expect(401);
    expect(refused.body.code).toBe('API_KEY_MISSING');
    const res = await request(h.app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${viewerKey}`).expect(200);
    expect(res.text).toContain('# TYPE saga_coordinator_sagas_started_total counter');
  });
});
