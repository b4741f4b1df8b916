/**
 * What a chaos run stands up before the load: its own PostgreSQL cluster and Kafka broker
 * (so both can be stopped), the five databases and the topics, the order-fulfilment
 * example's four participants and the coordinator replicas as supervised processes, and
 * the saga definition. Everything it acquires is pushed on the cleanup stack.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import type { ParticipantPools } from '../../examples/order-fulfilment/demo/business-snapshot';
import type { CleanupStack } from '../harness/cleanup-stack';
import { coordinatorEnv, coordinatorReady, freePort, registerDefinition, TS_NODE, waitUntil } from '../harness/coordinator-process';
import { createThrowawayDatabases } from '../harness/throwaway-databases';
import { CATALOGUE, customers } from '../../examples/order-fulfilment/demo/order-generator';
import { migrateBusinessSchema } from '../../examples/order-fulfilment/business-schema';
import { PARTICIPANTS, type ParticipantName } from '../../examples/order-fulfilment/order';
import { orderFulfilmentSaga } from '../../examples/order-fulfilment/order-fulfilment.saga';
import { seedAccounts, seedStock } from '../../examples/order-fulfilment/seed';
import type { SagaDefinition } from '../../src/core/saga-definition';
import { topicNames, type TopicNames } from '@saga-coordinator/participant/protocol';
import { PrivateKafka } from '../harness/private-kafka';
import { PrivatePostgres } from '../harness/private-postgres';
import type { ChaosOptions } from './chaos-options';
import { ConsumerProgress } from './consumer-progress';
import { Supervisor } from './supervisor';

const ROOT = join(__dirname, '..', '..');
const STARTUP_TIMEOUT_MS = 240_000;

export class ChaosSetupError extends Error {
  readonly code = 'CHAOS_SETUP_FAILED';
  readonly retriable = false;
}

export interface ChaosEnvironment {
  postgres: PrivatePostgres;
  kafka: PrivateKafka;
  topics: TopicNames;
  /** The coordinators' consumer group. */
  coordinatorGroup: string;
  /** A participant's consumer group (the SDK's default name). */
  participantGroup(p: ParticipantName): string;
  coordinatorPool: Pool;
  pools: ParticipantPools;
  supervisor: Supervisor;
  coordinators: { name: string; port: number }[];
  progress: ConsumerProgress;
  definition: SagaDefinition;
}

export interface EnvironmentSettings {
  options: ChaosOptions;
  runId: string;
  runDir: string;
  logDir: string;
  cleanup: CleanupStack;
  interrupted: AbortSignal;
  out(line?: string): void;
}

export async function startEnvironment(s: EnvironmentSettings): Promise<ChaosEnvironment> {
  const { options, cleanup, out } = s;
  out('1/4 a private PostgreSQL cluster and Kafka broker');
  const postgres = await PrivatePostgres.create({ dir: join(s.runDir, 'postgres'), port: await freePort() });
  cleanup.push('stop PostgreSQL', async () => {
    await postgres.stop('fast').catch(() => postgres.killNow());
    if (existsSync(postgres.logFile)) copyFileSync(postgres.logFile, join(s.logDir, 'postgres.log'));
    if (!options.keep) rmSync(join(s.runDir, 'postgres'), { recursive: true, force: true });
  });
  const kafka = await PrivateKafka.create({ dir: join(s.runDir, 'kafka'), port: await freePort(), controllerPort: await freePort() });
  cleanup.push('stop the broker', async () => {
    await kafka.stop('SIGTERM');
    if (existsSync(kafka.logFile)) copyFileSync(kafka.logFile, join(s.logDir, 'broker.log'));
    if (!options.keep) rmSync(join(s.runDir, 'kafka'), { recursive: true, force: true });
  });
  process.once('exit', () => {
    kafka.killNow();
    postgres.killNow();
  });
  out(`    PostgreSQL ${postgres.url()}, Kafka ${kafka.brokers}; logs: ${s.logDir}`);

  const prefix = `chaos-${s.runId}`;
  const topics = topicNames(prefix);
  const dbs = await createThrowawayDatabases(postgres.url(), ['chaos_coordinator', ...PARTICIPANTS.map((p) => `chaos_${p}`)]);
  const participantUrl = (p: ParticipantName) => dbs.urls[`chaos_${p}`];
  const coordinatorPool = quietPool(dbs.urls.chaos_coordinator);
  const pools = Object.fromEntries(PARTICIPANTS.map((p) => [p, quietPool(participantUrl(p))])) as ParticipantPools;
  cleanup.push('close database pools', async () => {
    await Promise.all([coordinatorPool, ...Object.values(pools)].map((p) => p.end().catch(() => undefined)));
  });
  await createTopics(kafka.brokers, [topics.start, topics.replies, topics.events, topics.deadLetter, ...PARTICIPANTS.map((p) => topics.commands(p))], options.partitions);
  for (const p of PARTICIPANTS) await migrateBusinessSchema(pools[p], p);
  await seedAccounts(pools.payments, customers());
  await seedStock(pools.inventory, CATALOGUE);

  if (!options.noBuild) {
    out('    building the coordinator (npm run build; --no-build runs the dist/ that is there)');
    const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}\n${built.stderr}`);
  }
  out(`2/4 ${options.replicas} coordinator replicas and the participants orders, payments, inventory, shipping (supervised processes)`);
  const supervisor = new Supervisor(ROOT, s.logDir, options.restartDelayMs);
  cleanup.push('stop the coordinators and participants', () => supervisor.stopAll());
  process.once('exit', () => supervisor.killAllNow());
  const coordinators: { name: string; port: number }[] = [];
  for (let i = 1; i <= options.replicas; i++) coordinators.push({ name: `coordinator-${i}`, port: await freePort() });
  for (const c of coordinators) {
    const env = coordinatorEnv({ databaseUrl: dbs.urls.chaos_coordinator, brokers: kafka.brokers, prefix, partitions: options.partitions, port: c.port });
    // Compiled, as in production: a restarted replica's time to /health is the engine's, not ts-node's.
    // Each replica keeps its name across restarts, as a StatefulSet pod does: a restarted one removes the group member its killed predecessor left.
    supervisor.add({ name: c.name, args: ['dist/main.js'], env: { ...env, KAFKA_CLIENT_ID: `chaos-${c.name}`, KAFKA_GROUP_INSTANCE_ID: c.name, ...options.coordinatorEnv } });
  }
  for (const p of PARTICIPANTS) {
    supervisor.add({
      name: p,
      args: [...TS_NODE, 'test/chaos/chaos-participant-process.ts', p],
      env: { DATABASE_URL: participantUrl(p), KAFKA_BROKERS: kafka.brokers, KAFKA_TOPIC_PREFIX: prefix, FLAKY_RATE: String(options.flaky), FLAKY_SEED: String(options.seed), LOG_LEVEL: 'warn' },
      readyLine: /^ready /,
    });
  }
  const progress = new ConsumerProgress(kafka.brokers);
  cleanup.push('close the progress probe', () => progress.close());
  const env: ChaosEnvironment = {
    postgres,
    kafka,
    topics,
    coordinatorGroup: `${prefix}-coordinator`,
    participantGroup: (p) => `${prefix}.participant.${p}`,
    coordinatorPool,
    pools,
    supervisor,
    coordinators,
    progress,
    definition: orderFulfilmentSaga({ stepTimeoutMs: options.stepTimeoutMs }),
  };
  await waitForServices(env, options, s.interrupted);
  await registerChaosDefinition(env);
  return env;
}

/**
 * Every replica ready, every participant consuming, and every consumer group Stable with
 * its members: a command sent to a participant still joining its group would time out
 * before any fault, and count against the faults.
 */
async function waitForServices(env: ChaosEnvironment, options: ChaosOptions, interrupted: AbortSignal): Promise<void> {
  const groups = [{ groupId: env.coordinatorGroup, members: options.replicas }, ...PARTICIPANTS.map((p) => ({ groupId: env.participantGroup(p), members: 1 }))];
  const startupCrash = () => {
    const [crash] = env.supervisor.crashList();
    return crash && `${crash.service} exited while starting (${crash.signal ?? `code ${crash.code}`}); its last lines:\n${crash.lastLines.join('\n')}`;
  };
  try {
    await waitUntil('the coordinators and participants to be ready and their consumer groups stable', STARTUP_TIMEOUT_MS, () => startupCrash() || (interrupted.aborted ? 'interrupted' : undefined), async () => {
      const ready = await Promise.all(env.coordinators.map((c) => coordinatorReady(c.port)));
      return ready.every(Boolean) && PARTICIPANTS.every((p) => env.supervisor.isReady(p)) && (await env.progress.groupsStable(groups));
    });
  } catch (err) {
    throw new ChaosSetupError((err as Error).message);
  }
}

async function registerChaosDefinition(env: ChaosEnvironment): Promise<void> {
  const refused = await registerDefinition(env.coordinators[0].port, env.definition);
  if (refused !== null) throw new ChaosSetupError(`registering the saga definition failed: ${refused}`);
}

async function createTopics(brokers: string, names: string[], partitions: number): Promise<void> {
  const admin = new Kafka({ clientId: 'chaos-setup', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
  }
}

/** A small pool that shrugs off its connections being killed (PostgreSQL restarts during the run). */
function quietPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined);
  return pool;
}
