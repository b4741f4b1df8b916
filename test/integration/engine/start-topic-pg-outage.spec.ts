// Starts that arrive on the start topic while PostgreSQL is down are taken up once it is
// back, and the coordinator's group commits past them: a start that failed transiently
// (its definition could not be read) used to give its chunk up for good, so the
// partition's committed offset froze there until the next rebalance (a chaos run ended
// 102 messages behind on four partitions with every saga started).
import { join } from 'node:path';
import { Pool } from 'pg';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { coordinatorEnv, freePort, registerDefinition } from '../../harness/coordinator-process';
import { PrivatePostgres } from '../../harness/private-postgres';
import { CoordinatorProcess, startCoordinatorProcess, waitForReady } from '../../support/coordinator-process';
import { waitFor } from '../../support/saga-waits';
import { infraEnv, uniqueName } from '../../support/test-infra';

const BEFORE = 300;
const DURING = 300;

describe('start requests consumed while PostgreSQL is down', () => {
  const prefix = uniqueName('pgout');
  const brokers = infraEnv().KAFKA_BROKERS;
  let postgres: PrivatePostgres;
  let pool: Pool;
  let bus: KafkaBus;
  let coordinator: CoordinatorProcess | undefined;

  beforeAll(async () => {
    postgres = await PrivatePostgres.create({ dir: join(__dirname, '..', '..', '..', '.local', 'test-pg', prefix), port: await freePort(), maxConnections: 100 });
    pool = new Pool({ connectionString: postgres.url(), max: 2 });
    pool.on('error', () => undefined);
    bus = new KafkaBus({ brokers: brokers.split(','), clientId: 'pg-outage-test' });
    await bus.connect();
  }, 120_000);

  afterAll(async () => {
    coordinator?.child.kill('SIGKILL');
    await coordinator?.exited;
    await bus?.disconnect();
    await pool?.end().catch(() => undefined);
    await postgres?.remove();
  });

  it('takes every start up once and commits the start topic to its end', async () => {
    const port = await freePort();
    coordinator = startCoordinatorProcess(coordinatorEnv({ databaseUrl: postgres.url(), brokers, prefix, partitions: 4, port }));
    expect(await waitForReady(port, 60_000)).toBe(200);
    const definition = 'pg-outage-order';
    expect(await registerDefinition(port, { name: definition, steps: [{ name: 'only', participant: 'pgout', command: 'pgout.do', compensation: 'pgout.undo', timeoutMs: 600_000 }] })).toBeNull();

    const start = topicNames(prefix).start;
    const publish = (from: number, count: number) =>
      bus.publish(Array.from({ length: count }, (_, k) => {
        const i = from + k;
        return { topic: start, key: `${definition}-${i}`, value: JSON.stringify({ protocolVersion: 1, definition, idempotencyKey: `${definition}-${i}`, input: { i } }) };
      }));
    const taken = async () => (await pool.query<{ n: number }>('select count(distinct idempotency_key)::int as n from saga_instances where definition_name = $1', [definition])).rows[0].n;

    await publish(0, BEFORE);
    await waitFor('the first starts taken up', async () => ((await taken()) === BEFORE ? true : undefined), 30_000);
    await postgres.stop('fast');
    // Past the definition cache's period (1 s), so these starts must read the database and fail.
    await new Promise((r) => setTimeout(r, 1_500));
    await publish(BEFORE, DURING);
    await new Promise((r) => setTimeout(r, 3_000));
    await postgres.start();

    await waitFor('every start taken up', async () => ((await taken().catch(() => 0)) === BEFORE + DURING ? true : undefined), 60_000);
    const total = await pool.query<{ n: number }>('select count(*)::int as n from saga_instances where definition_name = $1', [definition]);
    expect(total.rows[0].n).toBe(BEFORE + DURING);

    const ends = await bus.topicHighWatermarks(start);
    const behind = async () => {
      const committed = await bus.groupOffsets(`${prefix}-coordinator`, start);
      let lag = 0n;
      for (const [partition, end] of ends) lag += end - (committed.get(partition) ?? 0n);
      return lag;
    };
    // Offsets are committed every 100 ms; a partition frozen behind a given-up chunk stays behind.
    await waitFor('the start topic committed to its end', async () => ((await behind()) === 0n ? true : undefined), 20_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${await behind()} messages behind`);
    });
  }, 180_000);
});
