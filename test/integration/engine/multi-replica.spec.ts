// Two coordinator replicas on one database and one consumer group share the work;
// no saga is advanced by both. Some first attempts are dropped so both replicas'
// timer pollers race for the same timeouts.
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { createApp } from '../../../src/bootstrap';
import { SagaDefinitionService } from '../../../src/coordinator/saga-definition.service';
import { SagaEngine } from '../../../src/coordinator/saga-engine';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { PG_POOL } from '../../../src/persistence/database.module';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, TestDatabase, testConfig, uniqueName } from '../../support/test-infra';
import { TestParticipants } from '../../support/test-participant';

const SAGAS = 120;

describe('several coordinator replicas', () => {
  let db: TestDatabase;
  let replicas: INestApplication[] = [];
  let participants: TestParticipants;
  const prefix = uniqueName('replicas');

  beforeAll(async () => {
    db = await createTestDatabase('saga_replicas');
    participants = new TestParticipants(prefix, ['rep-a', 'rep-b']);
    await participants.start();
    const config = testConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '4', API_AUTH: 'disabled' });
    // Booted one after the other: both run migrations; the advisory lock makes the second a no-op.
    replicas = await Promise.all([createApp(config), createApp(config)]);
    await Promise.all(replicas.map((r) => r.init()));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await participants?.stop();
    await db?.drop();
  });

  it('completes every saga once while both replicas consume, relay and fire timers', async () => {
    const def: SagaDefinition = {
      name: 'replicated',
      steps: [
        { name: 'first', participant: 'rep-a', command: 'a.do', compensation: 'a.undo', timeoutMs: 1500, retry: { maxAttempts: 4, initialBackoffMs: 20, maxBackoffMs: 50, multiplier: 2, jitter: 0.5, minRetryWindowMs: 0 } },
        { name: 'second', participant: 'rep-b', command: 'b.do', compensation: 'b.undo', timeoutMs: 1500, retry: { maxAttempts: 4, initialBackoffMs: 20, maxBackoffMs: 50, multiplier: 2, jitter: 0.5, minRetryWindowMs: 0 } },
      ],
    };
    // Drop the first attempt of every fifth saga's second step: it must time out and be retried exactly once.
    participants.on('replicated', (cmd) => (cmd.step === 'second' && cmd.attempt === 1 && Number((cmd.payload as { n: number }).n) % 5 === 0 ? 'drop' : { outcome: 'success' }));
    await replicas[0].get(SagaDefinitionService).register(def);
    const engines = replicas.map((r) => r.get(SagaEngine));
    await Promise.all(Array.from({ length: SAGAS }, (_, n) => engines[n % 2].start({ definition: 'replicated', input: { n }, actor: 'test' })));

    const pool = replicas[0].get<Pool>(PG_POOL);
    await waitFor(
      'every saga to complete',
      async () => {
        const r = await pool.query<{ n: number }>("select count(*)::int as n from saga_instances where status = 'COMPLETED'");
        return r.rows[0].n === SAGAS ? true : undefined;
      },
      60_000,
    );
    // One applied success per step: no step advanced twice, whichever replica consumed its replies.
    const applied = await pool.query<{ n: number; distinct_steps: number }>(
      "select count(*)::int as n, count(distinct (saga_id, event->>'step'))::int as distinct_steps from saga_history where event_type = 'StepReplied' and verdict = 'applied'",
    );
    expect(applied.rows[0]).toEqual({ n: SAGAS * 2, distinct_steps: SAGAS * 2 });
    // Each timeout fired once (by one replica's poller) and caused exactly one retry: attempts = 1 + applied timeouts.
    const mismatched = await pool.query<{ saga_id: string; step: string }>(
      `select a.saga_id, a.step from
         (select saga_id, step, count(*) as attempts from step_attempts group by saga_id, step) a
         left join (select saga_id, event->>'step' as step, count(*) as timeouts from saga_history
                     where event_type = 'AttemptTimedOut' and verdict = 'applied' group by saga_id, event->>'step') t
           on t.saga_id = a.saga_id and t.step = a.step
        where a.attempts <> 1 + coalesce(t.timeouts, 0)`,
    );
    expect(mismatched.rows).toEqual([]);
    // The dropped first attempts were retried.
    const retried = await pool.query<{ n: number }>(
      "select count(*)::int as n from step_attempts where step = 'second' and attempt = 2 and (select (input->>'n')::int % 5 from saga_instances i where i.saga_id = step_attempts.saga_id) = 0",
    );
    expect(retried.rows[0].n).toBe(SAGAS / 5);
  });
});
