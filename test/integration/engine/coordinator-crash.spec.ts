// Crash test: the coordinator process is SIGKILLed in the middle of a run of sagas and
// restarted. Invariants: every saga ends; no step is advanced twice; no command is lost;
// no start request is lost.
import type { Pool } from 'pg';
import { loadConfig } from '../../../src/config/app-config';
import { SagaDefinitionService } from '../../../src/coordinator/saga-definition.service';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { migrateCoordinatorSchema } from '../../../src/persistence/coordinator-migrations';
import { coordinatorEnv, CoordinatorProcess, randomPort, startCoordinatorProcess, waitForReady } from '../../support/coordinator-process';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, infraEnv, TestDatabase, testPool, uniqueName } from '../../support/test-infra';
import { TestParticipants } from '../../support/test-participant';

const SAGAS = 150;
const STEP_NAMES = ['reserve', 'charge', 'ship'];

describe('coordinator killed with SIGKILL mid-run', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: KafkaBus;
  let participants: TestParticipants;
  let coordinator: CoordinatorProcess | undefined;
  const prefix = uniqueName('crash');

  beforeAll(async () => {
    db = await createTestDatabase('saga_crash');
    pool = testPool(db.url);
    await migrateCoordinatorSchema(pool);
    bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'crash-test' });
    await bus.connect();
    participants = new TestParticipants(prefix, ['crash-a', 'crash-b', 'crash-c']);
    await participants.start();
  });

  afterAll(async () => {
    coordinator?.child.kill('SIGKILL');
    await participants?.stop();
    await bus?.disconnect();
    await pool?.end();
    await db?.drop();
  });

  function startCoordinator(port: number): CoordinatorProcess {
    return startCoordinatorProcess(coordinatorEnv(db.url, prefix, port, infraEnv().KAFKA_BROKERS));
  }

  async function statusCounts(): Promise<Record<string, number>> {
    const r = await pool.query<{ status: string; n: number }>('select status, count(*)::int as n from saga_instances group by status');
    return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  }

  it('ends every saga exactly once after a restart', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '4' });
    const definitions = new SagaDefinitionService(pool, bus, config);
    const def: SagaDefinition = {
      name: 'crash-order',
      // Long attempt timeouts: recovery must come from the outbox and the inbox, not from retries.
      steps: STEP_NAMES.map((name, i) => ({ name, participant: `crash-${'abc'[i]}`, command: `${name}.do`, compensation: `${name}.undo`, timeoutMs: 120_000 })),
    };
    await definitions.register(def);
    // A command redelivered after the crash is answered again with a new reply; the coordinator must
    // apply only the first reply per step (the later ones are stale), which the history check below proves.
    participants.on('crash-order', (cmd) => ({ outcome: 'success', output: { by: cmd.step } }));

    const port = randomPort();
    coordinator = startCoordinator(port);
    expect(await waitForReady(port, 60_000)).toBe(200);

    const topics = topicNames(prefix);
    const starts = Array.from({ length: SAGAS }, (_, i) => ({
      topic: topics.start,
      key: `crash-${i}`,
      value: JSON.stringify({ protocolVersion: 1, idempotencyKey: `crash-${i}`, definition: 'crash-order', input: { n: i } }),
    }));
    await bus.publish(starts);

    // Kill it once a good share, but not all, of the sagas are done.
    await waitFor('a third of the sagas to complete', async () => ((await statusCounts()).COMPLETED ?? 0) >= SAGAS / 3 ? true : undefined, 60_000, 20);
    coordinator.child.kill('SIGKILL');
    await coordinator.exited;
    const atKill = await statusCounts();
    expect(atKill.COMPLETED ?? 0).toBeLessThan(SAGAS);

    // Duplicate start requests while it is down must not create second sagas.
    await bus.publish(starts.slice(0, 20));

    coordinator = startCoordinator(port);
    expect(await waitForReady(port, 60_000)).toBe(200);
    await waitFor('every saga to complete', async () => ((await statusCounts()).COMPLETED ?? 0) === SAGAS ? true : undefined, 90_000, 200);

    // No start request lost, none doubled.
    const sagas = await pool.query<{ idempotency_key: string; saga_id: string }>('select idempotency_key, saga_id from saga_instances');
    expect(sagas.rowCount).toBe(SAGAS);
    expect(new Set(sagas.rows.map((r) => r.idempotency_key)).size).toBe(SAGAS);
    expect(await statusCounts()).toEqual({ COMPLETED: SAGAS });

    // No step advanced twice: one applied success per step, one attempt per step.
    const applied = await pool.query<{ n: number }>(
      `select count(*)::int as n from saga_history where event_type = 'StepReplied' and verdict = 'applied'`,
    );
    expect(applied.rows[0].n).toBe(SAGAS * STEP_NAMES.length);
    const attempts = await pool.query<{ n: number; distinct_steps: number }>(
      `select count(*)::int as n, count(distinct (saga_id, step))::int as distinct_steps from step_attempts`,
    );
    expect(attempts.rows[0]).toEqual({ n: SAGAS * STEP_NAMES.length, distinct_steps: SAGAS * STEP_NAMES.length });

    // No command lost: every saga's three commands reached the participants, in step order.
    for (const { saga_id } of sagas.rows) {
      const seen = participants.commandsOf(saga_id).map((c) => c.step);
      const firstSeen = seen.filter((s, i) => seen.indexOf(s) === i);
      expect(firstSeen).toEqual(STEP_NAMES);
    }
    // Nothing left behind: the outbox drained, no timer armed for a finished saga.
    await waitFor('the outbox to drain', async () => ((await pool.query('select 1 from outbox_batches')).rowCount === 0 ? true : undefined));
    expect((await pool.query('select 1 from saga_instances where next_due_at is not null')).rowCount).toBe(0);

    coordinator.child.kill('SIGTERM');
    expect(await coordinator.exited).toBe(0);
    coordinator = undefined;
  });
});
