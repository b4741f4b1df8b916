/**
 * One chaos run, start to end: its own PostgreSQL cluster and Kafka broker (so both can
 * be stopped), the order-fulfilment example's four participants and several coordinator
 * replicas as supervised processes, a steady load of orders, the seeded fault schedule
 * during the load; then it waits (bounded) for every saga to end, reads the outcome from
 * the five databases and checks the invariants.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { nullCompensations, readBusinessSnapshot, type ParticipantPools } from '../../examples/order-fulfilment/demo/business-snapshot';
import type { CleanupStack } from '../../examples/order-fulfilment/demo/cleanup-stack';
import { checkConsistency } from '../../examples/order-fulfilment/demo/consistency-check';
import { coordinatorEnv, coordinatorReady, freePort, TS_NODE, waitUntil } from '../../examples/order-fulfilment/demo/coordinator-process';
import { createThrowawayDatabases } from '../../examples/order-fulfilment/demo/demo-databases';
import { CATALOGUE, customers, generateOrders, seededRandom } from '../../examples/order-fulfilment/demo/order-generator';
import { migrateBusinessSchema } from '../../examples/order-fulfilment/business-schema';
import { PARTICIPANTS, type ParticipantName } from '../../examples/order-fulfilment/order';
import { orderFulfilmentSaga } from '../../examples/order-fulfilment/order-fulfilment.saga';
import { seedAccounts, seedStock } from '../../examples/order-fulfilment/seed';
import { normalizeDefinition, stepsOf } from '../../src/core/definition-normalization';
import { topicNames } from '../../src/messaging/topic-names';
import { PrivateKafka } from '../harness/private-kafka';
import { PrivatePostgres } from '../harness/private-postgres';
import { doubledEffects } from './business-effects';
import type { ChaosOptions } from './chaos-options';
import { progressLine, scheduleText, type ChaosResult } from './chaos-report';
import { compensationCauses } from './compensation-causes';
import { ConsumerProgress } from './consumer-progress';
import * as checks from './coordinator-checks';
import { FaultInjector, stamp } from './fault-injector';
import { faultSchedule } from './fault-schedule';
import { checkInvariants, violations, type ChaosFigures } from './invariants';
import { longestGap, spread, type ChaosMeasures, type ConsumerLag } from './measures';
import { OrderLoad } from './order-load';
import { FLAKY_PARTICIPANTS, seededFlakiness } from './seeded-flakiness';
import { createRunDirectory, markKept, pruneRunDirectories } from './run-directories';
import { Supervisor } from './supervisor';

const ROOT = join(__dirname, '..', '..');
const STARTUP_TIMEOUT_MS = 240_000;
const PROGRESS_EVERY_MS = 5_000;
/** After the sagas settled: how long the outbox may take to drain, and measurements to conclude. */
const DRAIN_GRACE_MS = 30_000;
/** Directories of earlier runs (their logs) kept for reading; older ones are pruned. */
const KEEP_FAILED_RUNS = 5;

export class ChaosSetupError extends Error {
  readonly code = 'CHAOS_SETUP_FAILED';
  readonly retriable = false;
}

export async function runChaos(options: ChaosOptions, cleanup: CleanupStack, interrupted: AbortSignal, print: (line?: string) => void): Promise<ChaosResult> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const base = join(ROOT, '.local', 'chaos');
  for (const old of pruneRunDirectories(base, KEEP_FAILED_RUNS)) print(`(pruned the old run directory ${old})`);
  const runDir = createRunDirectory(base, runId);
  if (options.keep) markKept(runDir);
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // Everything printed also goes to logs/run.log, read after a failed run.
  const out = (line = '') => {
    print(line);
    appendFileSync(join(logDir, 'run.log'), `${line}\n`);
  };
  const prefix = `chaos-${runId}`;
  const topics = topicNames(prefix);
  const loadMs = (options.orders / options.rate) * 1000;
  const schedule = faultSchedule({ counts: options.faults, loadMs, replicas: options.replicas, seed: options.seed });
  const faultCount = schedule.length;
  out(`Chaos run ${runId}: ${options.orders} orders at ${options.rate}/s (${(loadMs / 1000).toFixed(0)} s of load) via ${options.via}, ${options.replicas} coordinator replicas, seed ${options.seed}, flaky ${options.flaky}`);
  out(scheduleText(schedule, options.seed));
  out('');

  // ---- infrastructure of its own
  out('1/4 a private PostgreSQL cluster and Kafka broker');
  let ok = false;
  // Runs last (the stack unwinds in reverse): logs stay unless the run passed.
  cleanup.push('delete the run directory', async () => {
    if (ok && !options.keep) rmSync(runDir, { recursive: true, force: true });
  });
  const postgres = await PrivatePostgres.create({ dir: join(runDir, 'postgres'), port: await freePort() });
  cleanup.push('stop PostgreSQL', async () => {
    await postgres.stop('fast').catch(() => postgres.killNow());
    if (existsSync(postgres.logFile)) copyFileSync(postgres.logFile, join(logDir, 'postgres.log'));
    if (!options.keep) rmSync(join(runDir, 'postgres'), { recursive: true, force: true });
  });
  const kafka = await PrivateKafka.create({ dir: join(runDir, 'kafka'), port: await freePort(), controllerPort: await freePort() });
  cleanup.push('stop the broker', async () => {
    await kafka.stop('SIGTERM');
    if (existsSync(kafka.logFile)) copyFileSync(kafka.logFile, join(logDir, 'broker.log'));
    if (!options.keep) rmSync(join(runDir, 'kafka'), { recursive: true, force: true });
  });
  process.once('exit', () => {
    kafka.killNow();
    postgres.killNow();
  });
  out(`    PostgreSQL ${postgres.url()}, Kafka ${kafka.brokers}; logs: ${logDir}`);

  const dbNames = ['chaos_coordinator', ...PARTICIPANTS.map((p) => `chaos_${p}`)];
  const dbs = await createThrowawayDatabases(postgres.url(), dbNames);
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

  // ---- the services, supervised
  out(`2/4 ${options.replicas} coordinator replicas and the participants orders, payments, inventory, shipping (supervised processes)`);
  const supervisor = new Supervisor(ROOT, logDir, options.restartDelayMs);
  cleanup.push('stop the coordinators and participants', () => supervisor.stopAll());
  process.once('exit', () => supervisor.killAllNow());
  const coordinators: { name: string; port: number }[] = [];
  for (let i = 1; i <= options.replicas; i++) coordinators.push({ name: `coordinator-${i}`, port: await freePort() });
  for (const c of coordinators) {
    supervisor.add({
      name: c.name,
      args: [...TS_NODE, 'src/main.ts'],
      env: { ...coordinatorEnv({ databaseUrl: dbs.urls.chaos_coordinator, brokers: kafka.brokers, prefix, partitions: options.partitions, port: c.port }), KAFKA_CLIENT_ID: `chaos-${c.name}`, ...options.coordinatorEnv },
    });
  }
  for (const p of PARTICIPANTS) {
    supervisor.add({
      name: p,
      args: [...TS_NODE, 'test/chaos/chaos-participant-process.ts', p],
      env: { DATABASE_URL: participantUrl(p), KAFKA_BROKERS: kafka.brokers, KAFKA_TOPIC_PREFIX: prefix, FLAKY_RATE: String(options.flaky), FLAKY_SEED: String(options.seed), LOG_LEVEL: 'warn' },
      readyLine: /^ready /,
    });
  }
  const startupCrash = () => {
    const [crash] = supervisor.crashList();
    return crash && `${crash.service} exited while starting (${crash.signal ?? `code ${crash.code}`}); its last lines:\n${crash.lastLines.join('\n')}`;
  };
  const progress = new ConsumerProgress(kafka.brokers);
  cleanup.push('close the progress probe', () => progress.close());
  // Ready, and every consumer group has its partitions assigned: a command sent to a participant still joining would time out before any fault.
  const groups = [{ groupId: `${prefix}-coordinator`, members: options.replicas }, ...PARTICIPANTS.map((p) => ({ groupId: `${prefix}.participant.${p}`, members: 1 }))];
  try {
    await waitUntil('the coordinators and participants to be ready and their consumer groups stable', STARTUP_TIMEOUT_MS, () => startupCrash() || (interrupted.aborted ? 'interrupted' : undefined), async () => {
      const ready = await Promise.all(coordinators.map((c) => coordinatorReady(c.port)));
      return ready.every(Boolean) && PARTICIPANTS.every((p) => supervisor.isReady(p)) && (await progress.groupsStable(groups));
    });
  } catch (err) {
    throw new ChaosSetupError((err as Error).message);
  }
  const definition = orderFulfilmentSaga({ stepTimeoutMs: options.stepTimeoutMs });
  const registered = await fetch(`http://127.0.0.1:${coordinators[0].port}/v1/definitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(definition) });
  if (registered.status !== 201 && registered.status !== 200) throw new ChaosSetupError(`registering the saga definition failed: HTTP ${registered.status} ${await registered.text()}`);

  // ---- load and faults
  out('3/4 the load, and the faults during it');
  const orders = generateOrders(options.orders, runId, seededRandom(options.seed));
  const measuring = new AbortController();
  setMaxListeners(100, measuring.signal); // every recovery measurement waits on it at once
  const stopMeasuring = () => measuring.abort();
  interrupted.addEventListener('abort', stopMeasuring, { once: true });
  const t0 = Date.now();
  const load = new OrderLoad({ orders, rate: options.rate, via: options.via, brokers: kafka.brokers, startTopic: topics.start, ports: coordinators.map((c) => c.port), signal: interrupted });
  const injector = new FaultInjector({
    supervisor,
    postgres,
    kafka,
    progress,
    coordinators,
    coordinatorGroup: `${prefix}-coordinator`,
    repliesTopic: topics.replies,
    payments: { name: 'payments', group: `${prefix}.participant.payments`, commandTopic: topics.commands('payments') },
    brokerDownMs: options.brokerDownS * 1000,
    t0,
    log: out,
    signal: measuring.signal,
  });
  supervisor.onEvent((e) => {
    if (e.kind === 'exited' && !e.expected) out(`${stamp(e.at - t0)}  CRASH ${e.service} (pid ${e.pid}) exited on its own; the supervisor restarts it`);
  });
  const loading = load.run();
  const injecting = injector.run(schedule);
  let counts: checks.StatusCounts | undefined;
  const printProgress = () => out(progressLine(Date.now() - t0, { submitted: load.result().submitted, total: orders.length, accepted: load.result().accepted, counts, faults: injector.count(), scheduled: faultCount, crashes: supervisor.crashList().length }));
  let loadFigures: ReturnType<OrderLoad['result']> | undefined;
  void loading.then((f) => (loadFigures = f));
  let lastPrinted = 0;
  let settledAt: number | null = null;
  let loadEnded = 0;
  for (;;) {
    if (interrupted.aborted) throw new ChaosSetupError('interrupted');
    counts = await checks.statusCounts(coordinatorPool).catch(() => counts);
    if (Date.now() - lastPrinted >= PROGRESS_EVERY_MS) {
      printProgress();
      lastPrinted = Date.now();
    }
    if (loadFigures) {
      loadEnded ||= Date.now();
      const known = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
      if (counts && known >= loadFigures.accepted && counts.RUNNING + counts.COMPENSATING === 0 && injector.count() === faultCount) {
        settledAt = Date.now();
        break;
      }
      if (Date.now() - loadEnded > options.maxWaitS * 1000) {
        out(`  gave up waiting for the sagas to end ${options.maxWaitS} s after the load (--max-wait-s)`);
        break;
      }
    }
    await sleep(1_000);
  }
  printProgress();
  const drainDeadline = Date.now() + DRAIN_GRACE_MS;
  while (Date.now() < drainDeadline && (await checks.unsentOutboxRows(coordinatorPool).catch(() => 1)) > 0) await sleep(500);
  const measureTimer = setTimeout(stopMeasuring, Math.max(0, drainDeadline - Date.now()));
  const faults = await injecting;
  clearTimeout(measureTimer);

  // ---- the outcome
  out('4/4 checking the outcome in the five databases');
  const loadResult = loadFigures ?? load.result();
  const perOrder = await checks.sagasPerOrder(coordinatorPool);
  const accepted = [...load.accepted()];
  const snapshot = await readBusinessSnapshot(coordinatorPool, pools);
  const flakySteps = stepsOf(normalizeDefinition(definition))
    .filter((s) => FLAKY_PARTICIPANTS.includes(s.participant))
    .map((s) => s.name);
  const figures: ChaosFigures = {
    load: loadResult,
    scheduledFaults: faultCount,
    faults,
    counts: await checks.statusCounts(coordinatorPool),
    lostOrders: accepted.filter((id) => !perOrder.has(id)),
    duplicatedOrders: [...perOrder].filter(([, n]) => n > 1).map(([orderId, sagas]) => ({ orderId, sagas })),
    doubled: await doubledEffects(pools),
    consistency: checkConsistency(orders.slice(0, loadResult.submitted), snapshot),
    unsentOutbox: await checks.unsentOutboxRows(coordinatorPool),
    timersOfFinishedSagas: await checks.timersOfFinishedSagas(coordinatorPool),
    compensations: compensationCauses(await checks.compensatedSagas(coordinatorPool), seededFlakiness(options.flaky, options.seed), flakySteps),
    crashes: supervisor.crashList(),
  };
  const lastFinished = await checks.lastFinishedAt(coordinatorPool);
  const coordinatorKills = faults.filter((f) => f.kind === 'coordinator-kill' && !f.error);
  const measures: ChaosMeasures = {
    loadMs: (loadEnded || Date.now()) - t0,
    settledMs: settledAt === null ? null : settledAt - t0,
    attemptsTimedOut: await checks.timedOutAttempts(coordinatorPool),
    longestReplyGap: longestGap(await checks.replyAppliedTimes(coordinatorPool), t0, Math.max(lastFinished ?? Date.now(), t0)),
    coordinatorHealth: spread(coordinatorKills.map((f) => f.healthMs)),
    coordinatorReady: spread(coordinatorKills.map((f) => f.readyMs)),
    coordinatorRepliesCaughtUp: spread(coordinatorKills.map((f) => f.caughtUpMs)),
    escalations: await checks.escalations(coordinatorPool),
    nullCompensations: await nullCompensations(pools),
    consumerLag: await consumerLag(progress, [
      { group: `${prefix}-coordinator`, topic: topics.start },
      { group: `${prefix}-coordinator`, topic: topics.replies },
      ...PARTICIPANTS.map((p) => ({ group: `${prefix}.participant.${p}`, topic: topics.commands(p) })),
    ]),
  };
  const invariants = checkInvariants(figures);
  const violated = violations(invariants);
  ok = violated.length === 0;
  return { runId, options, schedule, figures, measures, invariants, violations: violated, ok, logDir: ok && !options.keep ? null : logDir };
}

async function consumerLag(progress: ConsumerProgress, of: { group: string; topic: string }[]): Promise<ConsumerLag[]> {
  const out: ConsumerLag[] = [];
  for (const { group, topic } of of) {
    const lag = await progress.lag(group, topic);
    out.push({ group, topic, messages: lag?.messages ?? null, partitions: lag?.partitions ?? [] });
  }
  return out;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
