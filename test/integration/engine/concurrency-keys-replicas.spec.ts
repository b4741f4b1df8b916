// One saga at a time per concurrency key across two coordinator processes sharing one
// database and consumer group, with one of them SIGKILLed mid-run: sagas with one key
// never overlap, run in acceptance order, and all end; sagas of other keys run alongside.
import type { Pool } from 'pg';
import { loadConfig } from '../../../src/config/app-config';
import { SagaDefinitionService } from '../../../src/coordinator/saga-definition.service';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { coordinatorEnv, CoordinatorProcess, randomPort, startCoordinatorProcess, waitForReady } from '../../support/coordinator-process';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, infraEnv, TestDatabase, testPool, uniqueName } from '../../support/test-infra';
import { TestParticipants } from '../../support/test-participant';

const SAGAS = 60;
const ACCOUNTS = ['acc-1', 'acc-2', 'acc-3'];

describe('concurrency keys on two replicas', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: KafkaBus;
  let participants: TestParticipants;
  const replicas: (CoordinatorProcess | undefined)[] = [];
  const prefix = uniqueName('ckey');

  beforeAll(async () => {
    db = await createTestDatabase('saga_ckey');
    pool = testPool(db.url);
    bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'ckey-test' });
    await bus.connect();
    participants = new TestParticipants(prefix, ['ledger']);
    await participants.start();
  });

  afterAll(async () => {
    for (const r of replicas) r?.child.kill('SIGKILL');
    await participants?.stop();
    await bus?.disconnect();
    await pool?.end();
    await db?.drop();
  });

  const startReplica = (port: number): CoordinatorProcess =>
    startCoordinatorProcess(coordinatorEnv(db.url, prefix, port, infraEnv().KAFKA_BROKERS, { API_AUTH: 'disabled', HTTP_HOST: '127.0.0.1', TIMER_POLL_INTERVAL_MS: '200' }));

  it('never runs two sagas of one key at once, runs them in acceptance order, and ends them all after a replica is killed', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '4' });
    const definitions = new SagaDefinitionService(pool, bus, config);
    const def: SagaDefinition = {
      name: 'ckey-transfer',
      concurrencyKey: '$.input.account',
      steps: ['debit', 'credit'].map((name) => ({ name, participant: 'ledger', command: `${name}.do`, compensation: `${name}.undo`, timeoutMs: 60_000 })),
    };
    participants.on('ckey-transfer', () => ({ outcome: 'success', output: {} }));

    // Both replicas start on an empty database at once: they migrate it together (0001 to 0004).
    const ports = [randomPort(), randomPort() + 1];
    replicas[0] = startReplica(ports[0]);
    replicas[1] = startReplica(ports[1]);
    expect(await waitForReady(ports[0], 60_000)).toBe(200);
    expect(await waitForReady(ports[1], 60_000)).toBe(200);
    await definitions.register(def);

    // Start requests spread over the start topic's partitions: both replicas accept some.
    const topics = topicNames(prefix);
    const starts = Array.from({ length: SAGAS }, (_, i) => ({
      topic: topics.start,
      key: `ckey-${i}`,
      value: JSON.stringify({ protocolVersion: 1, idempotencyKey: `ckey-${i}`, definition: 'ckey-transfer', input: { account: ACCOUNTS[i % ACCOUNTS.length], n: i } }),
    }));
    await bus.publish(starts);

    const completed = async () => (await pool.query<{ n: number }>("select count(*)::int as n from saga_instances where status = 'COMPLETED'")).rows[0].n;
    await waitFor('a sixth of the sagas to complete', async () => ((await completed()) >= SAGAS / 6 ? true : undefined), 60_000, 20);
    replicas[0]!.child.kill('SIGKILL');
    await replicas[0]!.exited;
    replicas[0] = undefined;
    await waitFor('every saga to complete', async () => ((await completed()) === SAGAS ? true : undefined), 120_000, 200);

    // Sagas did wait their turn (accepted QUEUED while another of their key ran).
    const queued = await pool.query<{ n: number }>("select count(*)::int as n from saga_history where event_type = 'SagaQueued'");
    expect(queued.rows[0].n).toBeGreaterThan(0);
    for (const account of ACCOUNTS) {
      const rows = await pool.query<{ saga_id: string; first_sent: Date; finished_at: Date }>(
        `select i.saga_id, min(a.sent_at) as first_sent, i.finished_at from saga_instances i join step_attempts a using (saga_id)
          where i.concurrency_key = $1 group by i.saga_id, i.finished_at, i.queue_seq order by i.queue_seq`,
        [account],
      );
      expect(rows.rowCount).toBe(SAGAS / ACCOUNTS.length);
      // In acceptance order, each saga sent its first command only after the one before it had finished.
      for (let i = 1; i < rows.rows.length; i++) {
        expect({ saga: rows.rows[i].saga_id, after: rows.rows[i].first_sent.getTime() >= rows.rows[i - 1].finished_at.getTime() }).toEqual({ saga: rows.rows[i].saga_id, after: true });
      }
    }
    // Each saga ran each step once.
    const attempts = await pool.query<{ n: number }>('select count(*)::int as n from step_attempts');
    expect(attempts.rows[0].n).toBe(SAGAS * 2);

    replicas[1]!.child.kill('SIGTERM');
    expect(await replicas[1]!.exited).toBe(0);
    replicas[1] = undefined;
  });
});
