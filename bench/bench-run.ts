// One run of the bench: its own databases, topic prefix, compiled coordinator
// replicas, participant processes and closed-loop driver; a warm-up, then the measured
// window (throughput, latency, CPU and memory per process group), then the per-hop
// breakdown read from the run's topics. Everything it creates is registered on the
// cleanup stack, which the caller runs.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { ChildProcesses } from '../test/harness/child-processes';
import type { CleanupStack } from '../test/harness/cleanup-stack';
import { coordinatorEnv, coordinatorReady, deleteConsumerGroups, deleteTopics, freePort, registerDefinition, TS_NODE, waitUntil } from '../test/harness/coordinator-process';
import { createThrowawayDatabases } from '../test/harness/throwaway-databases';
import { BENCH_EFFECTS_TABLE, benchDefinition, participantName, PARTICIPANTS_READY_LINE } from './bench-participants';
import { participantPlacement, participantProcessCount, type BenchOptions } from './bench-options';
import { businessKeyOf, ClosedLoopDriver } from './closed-loop-driver';
import { hopBreakdown, type HopBreakdown } from './hop-breakdown';
import { summarize, type LatencySummary } from './latency-stats';
import type { ParticipantTimings } from './participant-timings';
import { GroupMeter, MEMORY_SAMPLER_READY_LINE, type GroupFigures, type MachineFigures, type MemoryPeak, type ProcessGroup } from './process-groups';
import { pidListeningOn, readStat } from './proc-stats';
import { buildTimelines, type CoordinatorRows } from './saga-timelines';
import { readTopics } from './topic-tap';
import { runWaitingSagas, waitingDefinition, WAITING_PARTICIPANT, type WaitingFigures } from './waiting-sagas';

export interface BenchInfra {
  root: string;
  databaseUrl: string;
  brokers: string;
}

export const PROCESS_GROUPS = ['coordinator', 'participants', 'driver', 'kafka', 'postgres', 'postgresThisRun'] as const;
export type ProcessGroupName = (typeof PROCESS_GROUPS)[number];

export interface BenchResult {
  runId: string;
  options: BenchOptions;
  measured: number;
  completed: number;
  compensated: number;
  failed: number;
  seconds: number;
  sagasPerSecond: number;
  latencyMs: LatencySummary;
  /** 1/5/15-minute load averages just before and just after the measured window. */
  loadAverage: { before: number[]; after: number[] };
  /** null: the group's processes were not found on this machine (a remote broker or database). */
  processes: Record<ProcessGroupName, GroupFigures | null>;
  /** The whole machine in the window: how much else ran beside the bench (others' tests share these 2 cores). */
  machine: MachineFigures | null;
  hops: HopBreakdown | null;
  /** With --kill-replica-after: when replica 1 was SIGKILLed (seconds into the window) and how many steps were advanced twice (must be 0). */
  replicaKill: { killedAtSecond: number | null; stepsAdvancedTwice: number } | null;
  /** With --waiting N: the coordinator's memory once N sagas wait on a step. */
  waiting: WaitingFigures | null;
  logDir: string;
}

/**
 * When the coordinator's transactions that took up this run's starts and replies began,
 * from its own rows. Optional: undefined if its schema no longer has them (the engine
 * is free to change; the breakdown then goes without these points).
 */
async function readCoordinatorRows(url: string, runId: string): Promise<CoordinatorRows | undefined> {
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  try {
    const starts = await pool.query<{ key: string; at: number }>(`select business_key as key, extract(epoch from created_at) * 1000 as at from saga_instances where business_key like $1`, [`${runId}-%`]);
    const replies = await pool.query<{ id: string; at: number }>(`select message_id as id, extract(epoch from received_at) * 1000 as at from inbox`);
    return { startTakenUp: new Map(starts.rows.map((r) => [r.key, Number(r.at)])), replyTakenUp: new Map(replies.rows.map((r) => [r.id, Number(r.at)])) };
  } catch {
    return undefined;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

class BenchRunError extends Error {
  readonly code = 'BENCH_FAILED';
  readonly retriable = false;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The process that listens on `address`'s port, if it runs on this machine; PostgreSQL's backends fork from it, so walk up to the postmaster. */
function localServerPid(host: string, port: number): number | undefined {
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) return undefined;
  let pid = pidListeningOn(port);
  if (pid === undefined) return undefined;
  for (let parent = readStat(pid); parent; ) {
    const up = readStat(parent.ppid);
    if (!up || up.comm !== parent.comm) break;
    pid = up.pid;
    parent = up;
  }
  return pid;
}

export async function runBench(options: BenchOptions, infra: BenchInfra, cleanup: CleanupStack, say: (line: string) => void): Promise<BenchResult> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `bench-${runId}`;
  const topics = topicNames(prefix);
  const names = Array.from({ length: options.steps }, (_, k) => participantName(k + 1));
  const allTopics = [topics.start, topics.replies, topics.events, topics.deadLetter, ...names.map((p) => topics.commands(p)), ...(options.waiting > 0 ? [topics.commands(WAITING_PARTICIPANT)] : [])];
  const logDir = join(infra.root, '.local', 'bench', runId);

  const coordinatorDb = `saga_bench_${runId}_coordinator`;
  const participantDb = `saga_bench_${runId}_participants`;
  const dbs = await createThrowawayDatabases(infra.databaseUrl, [coordinatorDb, participantDb]);
  cleanup.push('drop the benchmark databases', () => dbs.drop());
  const setup = new Pool({ connectionString: dbs.urls[participantDb], max: 1 });
  setup.on('error', () => undefined);
  await setup.query(BENCH_EFFECTS_TABLE);
  await setup.end();

  const bus = new KafkaBus({ brokers: infra.brokers.split(','), clientId: 'saga-bench-driver' });
  await bus.connect();
  cleanup.push('disconnect from Kafka', () => bus.disconnect());
  cleanup.push('delete the benchmark topics and consumer groups', async () => {
    await deleteTopics(infra.brokers, allTopics);
    await deleteConsumerGroups(infra.brokers, prefix);
  });
  await bus.ensureTopics(allTopics.map((topic) => ({ topic, partitions: options.partitions, replicationFactor: 1 })));

  const children = new ChildProcesses(infra.root, logDir);
  const killNow = () => children.killAllNow();
  process.once('exit', killNow);
  cleanup.push('stop the coordinator and participant processes', async () => {
    await children.stopAll();
    process.removeListener('exit', killNow);
  });
  let crashed: string | undefined;
  let onCrash: (message: string) => void = () => undefined;
  children.onUnexpectedExit((name, code) => {
    crashed ??= `${name} exited unexpectedly (code ${code}); its last lines:\n${children.tail(name)}`;
    onCrash(crashed);
  });
  const crash = new Promise<never>((_, reject) => (onCrash = (m) => reject(new BenchRunError(m))));
  crash.catch(() => undefined);

  const coordinators: { name: string; port: number }[] = [];
  for (let r = 1; r <= options.replicas; r++) {
    const port = await freePort();
    const name = `coordinator-${r}`;
    // BENCH_CPU_PROF_DIR: write a V8 CPU profile of each replica there when it exits (--cpu-prof is refused in NODE_OPTIONS).
    const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
    // BENCH_COORDINATOR_NODE_ARGS: extra node flags for the replicas only (e.g. --max-old-space-size=192), space-separated.
    const nodeArgs = (process.env.BENCH_COORDINATOR_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    children.start({ name, args: [...profile, ...nodeArgs, join('dist', 'main.js')], env: coordinatorEnv({ databaseUrl: dbs.urls[coordinatorDb], brokers: infra.brokers, prefix, partitions: options.partitions, port }) });
    coordinators.push({ name, port });
  }
  for (const c of coordinators) await waitUntil(`${c.name} to be ready`, 120_000, () => crashed, () => coordinatorReady(c.port));
  const definition = benchDefinition(`bench-${options.steps}-steps`, options.steps);
  const refused = await registerDefinition(coordinators[0].port, definition);
  if (refused !== null) throw new BenchRunError(`registering the bench definition failed: ${refused}`);

  const placement = participantPlacement(options.steps, participantProcessCount(options));
  const timingFiles = placement.map((_, p) => join(logDir, `participants-${p + 1}.timings.json`));
  placement.forEach((steps, p) =>
    children.start({
      name: `participants-${p + 1}`,
      args: [...(process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : []), ...TS_NODE, join('bench', 'participant-process.ts')],
      readyLine: new RegExp(PARTICIPANTS_READY_LINE),
      env: {
        DATABASE_URL: dbs.urls[participantDb],
        KAFKA_BROKERS: infra.brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_PARTITIONS: String(options.partitions),
        BENCH_STEPS: steps.join(','),
        BENCH_POOL_SIZE: String(Math.min(20, 8 * steps.length)),
        BENCH_TIMINGS_FILE: timingFiles[p],
      },
    }),
  );
  for (let p = 1; p <= placement.length; p++) await waitUntil(`participants-${p} to be ready`, 120_000, () => crashed, async () => children.isReady(`participants-${p}`));

  const driver = new ClosedLoopDriver(bus, topics.start, definition.name, runId);
  const stopEvents = await driver.consumeEvents(infra.brokers.split(','), `${prefix}-driver`, topics.events, options.partitions);
  cleanup.push('stop the event consumer', stopEvents);

  const [brokerHost, brokerPort] = infra.brokers.split(',')[0].split(':');
  const pg = new URL(infra.databaseUrl);
  const postmaster = [localServerPid(pg.hostname, Number(pg.port || 5432))].filter((p) => p !== undefined);
  const groups: ProcessGroup[] = [
    { name: 'coordinator', pids: coordinators.map((c) => children.pid(c.name)!), withChildren: false },
    { name: 'participants', pids: placement.map((_, p) => children.pid(`participants-${p + 1}`)!), withChildren: false },
    { name: 'driver', pids: [process.pid], withChildren: false },
    { name: 'kafka', pids: [localServerPid(brokerHost, Number(brokerPort))].filter((p) => p !== undefined), withChildren: false },
    { name: 'postgres', pids: postmaster, withChildren: true },
    { name: 'postgresThisRun', pids: postmaster, withChildren: true, onlyChildrenNaming: [` ${coordinatorDb} `, ` ${participantDb} `] },
  ];
  const meter = new GroupMeter(groups);
  const memoryFile = join(logDir, 'memory-peaks.json');
  children.start({ name: 'memory-sampler', args: [...TS_NODE, join('bench', 'memory-sampler-process.ts')], readyLine: new RegExp(MEMORY_SAMPLER_READY_LINE), env: { BENCH_METER_GROUPS: JSON.stringify(groups), BENCH_METER_FILE: memoryFile } });
  await waitUntil('the memory sampler to be ready', 60_000, () => crashed, async () => children.isReady('memory-sampler'));

  // The window follows the warm-up at once: a pause would let the coordinator's loops go idle.
  const giveUp = (what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new BenchRunError(`${what} did not finish within ${options.maxWaitS} s`)), options.maxWaitS * 1000).unref());
  say(`  warming up: ${options.warmup} sagas...`);
  if (options.warmup > 0) await Promise.race([driver.run(0, options.warmup, options.concurrency), giveUp('the warm-up'), crash]);
  say(`  measuring: ${options.sagas} sagas of ${options.steps} steps, ${options.concurrency} in flight, ${options.partitions} partitions, ${options.replicas} coordinator(s), ${placement.length} participant process(es)...`);
  const loadBefore = loadavg().map((v) => round(v, 2));
  meter.start();
  process.kill(children.pid('memory-sampler')!, 'SIGUSR2');
  let killedAt: number | null = null;
  if (options.killReplicaAfter > 0) {
    driver.onEnded((ended) => {
      if (killedAt !== null || ended - options.warmup < options.killReplicaAfter) return;
      killedAt = Date.now();
      say(`  SIGKILL coordinator-1 after ${options.killReplicaAfter} measured sagas; the other replicas take over its partitions`);
      void children.kill('coordinator-1');
    });
  }
  await Promise.race([driver.run(options.warmup, options.sagas, options.concurrency), giveUp('the measurement'), crash]);
  const range = Array.from({ length: options.sagas }, (_, n) => options.warmup + n);
  const ends = range.map((i) => driver.ended.get(i)!);
  const completed = ends.filter((e) => e.type === 'saga.completed').length;
  meter.end();
  await children.stop('memory-sampler');
  const metered = meter.figures(completed, JSON.parse(readFileSync(memoryFile, 'utf8')) as MemoryPeak[]);
  const processes = metered.groups as Record<ProcessGroupName, GroupFigures | null>;
  const loadAfter = loadavg().map((v) => round(v, 2));

  const firstStart = Math.min(...range.map((i) => driver.queuedAt.get(i)!));
  const lastEnd = Math.max(...ends.map((e) => e.at));
  const seconds = (lastEnd - firstStart) / 1000;
  const latencies = range.filter((i) => driver.ended.get(i)!.type === 'saga.completed').map((i) => driver.ended.get(i)!.at - driver.queuedAt.get(i)!);

  say('  reading the run\'s topics for the per-hop breakdown...');
  await stopEvents();
  const records = await readTopics(infra.brokers.split(','), `${prefix}-tap`, [topics.start, topics.replies, topics.events, ...names.map((p) => topics.commands(p))]);
  let waiting: WaitingFigures | null = null;
  if (options.waiting > 0) {
    const name = `bench-waiting`;
    const refusedWaiting = await registerDefinition(coordinators[coordinators.length - 1].port, waitingDefinition(name));
    if (refusedWaiting !== null) throw new BenchRunError(`registering the waiting definition failed: ${refusedWaiting}`);
    const db = new Pool({ connectionString: dbs.urls[coordinatorDb], max: 1 });
    db.on('error', () => undefined);
    try {
      const alive = coordinators.filter((c) => !(killedAt !== null && c.name === 'coordinator-1'));
      waiting = await Promise.race([
        runWaitingSagas({ bus, startTopic: topics.start, definition: name, runId, count: options.waiting, coordinatorDb: db, coordinators: alive.map((c) => ({ pid: children.pid(c.name)!, port: c.port })), deadline: Date.now() + options.maxWaitS * 1000, say }),
        crash,
      ]);
    } finally {
      await db.end().catch(() => undefined);
    }
  }
  await children.stopAll();
  const coordinatorRows = await readCoordinatorRows(dbs.urls[coordinatorDb], runId);
  const advancedTwice = await stepsAdvancedTwice(dbs.urls[coordinatorDb]);
  const timings = timingFiles.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ParticipantTimings);
  const sagas = range.filter((i) => driver.ended.get(i)!.type === 'saga.completed').map((i) => ({ key: businessKeyOf(runId, i), queuedAt: driver.queuedAt.get(i)!, end: driver.ended.get(i)! }));
  const { timelines, incomplete } = buildTimelines({ steps: options.steps, coordinatorRows, topics: { ...topics, commands: (k) => topics.commands(participantName(k)) }, records, timings, sagas });

  const s = summarize(latencies);
  return {
    runId,
    options,
    measured: options.sagas,
    completed,
    compensated: ends.filter((e) => e.type === 'saga.compensated').length,
    failed: ends.filter((e) => e.type === 'saga.failed').length,
    seconds: round(seconds, 3),
    sagasPerSecond: round(completed / seconds, 1),
    latencyMs: { count: s.count, p50: round(s.p50, 1), p95: round(s.p95, 1), p99: round(s.p99, 1), max: round(s.max, 1), mean: round(s.mean, 1) },
    loadAverage: { before: loadBefore, after: loadAfter },
    processes,
    machine: metered.machine,
    hops: hopBreakdown(timelines, incomplete),
    replicaKill: options.killReplicaAfter > 0 ? { killedAtSecond: killedAt === null ? null : round((killedAt - firstStart) / 1000, 3), stepsAdvancedTwice: advancedTwice } : null,
    waiting,
    logDir,
  };
}

/** (saga, step) pairs whose execute success was applied more than once: must be none, whatever was killed. */
async function stepsAdvancedTwice(url: string): Promise<number> {
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  try {
    const res = await pool.query<{ n: number }>(
      `select count(*)::int as n from (
         select saga_id, event->>'step' from saga_history
          where event_type = 'StepReplied' and verdict = 'applied' and event->>'action' = 'execute' and event->>'outcome' = 'success'
          group by 1, 2 having count(*) > 1) t`,
    );
    return res.rows[0].n;
  } finally {
    await pool.end();
  }
}
