// `npm run bench`: sagas per second and end-to-end latency of the coordinator over the
// real Kafka and PostgreSQL, with minimal SDK participants.
//
// The coordinator runs as its own process (so its CPU and memory can be measured from
// outside); the participants (one per step, built on the SDK, each step one row behind
// the barrier) and the load driver run in this process. The driver keeps `concurrency`
// sagas in flight (closed loop), starting each on the start topic and taking its end
// from the lifecycle events topic: latency is start request published → saga.completed
// received. Prints a table and one machine-readable line (BENCH_RESULT {json}).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ChildProcesses } from '../examples/order-fulfilment/demo/child-processes';
import { CleanupStack } from '../examples/order-fulfilment/demo/cleanup-stack';
import { coordinatorEnv, coordinatorReady, deleteTopics, freePort, TS_NODE, waitUntil } from '../examples/order-fulfilment/demo/coordinator-process';
import { createThrowawayDatabases } from '../examples/order-fulfilment/demo/demo-databases';
import { loadConfig } from '../src/config/app-config';
import { readLocalInfraEnv } from '../src/config/local-infra-env';
import { SagaDefinitionService } from '../src/coordinator/saga-definition.service';
import { type LifecycleEventMessage, type StartSagaMessage, topicNames } from '@saga-coordinator/participant/protocol';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { benchDefinition, startBenchParticipants } from './bench-participants';
import { parseBenchOptions, type BenchOptions } from './bench-options';
import { summarize, type LatencySummary } from './latency-stats';
import { cpuSeconds, peakRssMb } from './process-usage';

const ROOT = join(__dirname, '..');
const out = (line = '') => process.stdout.write(`${line}\n`);
const ENDING_EVENTS = new Set(['saga.completed', 'saga.compensated', 'saga.failed']);

/** Keeps `concurrency` sagas in flight and records when each started and ended. */
class ClosedLoopDriver {
  private readonly startedAt = new Map<number, number>();
  private readonly indexOf = new Map<string, number>();
  private readonly earlyEnds = new Map<string, { at: number; type: string }>();
  readonly ended = new Map<number, { at: number; type: string }>();
  private inFlight = 0;
  private next = 0;
  private end = 0;
  private concurrency = 1;
  private done?: () => void;
  private failed?: (err: Error) => void;

  constructor(
    private readonly bus: KafkaBus,
    private readonly startTopic: string,
    private readonly definition: string,
    private readonly runId: string,
  ) {}

  /** Runs sagas [from, from + count) and resolves when all of them ended. */
  run(from: number, count: number, concurrency: number): Promise<void> {
    this.next = from;
    this.end = from + count;
    this.concurrency = concurrency;
    return new Promise((resolve, reject) => {
      this.done = resolve;
      this.failed = reject;
      this.launch();
    });
  }

  /** The first step saw saga `sagaId` for input index `i`. */
  bind(i: number, sagaId: string): void {
    if (this.indexOf.has(sagaId)) return;
    this.indexOf.set(sagaId, i);
    const early = this.earlyEnds.get(sagaId);
    if (early) this.finish(i, early);
  }

  onEvent(event: LifecycleEventMessage, at: number): void {
    if (!ENDING_EVENTS.has(event.eventType)) return;
    const i = this.indexOf.get(event.sagaId);
    if (i === undefined) this.earlyEnds.set(event.sagaId, { at, type: event.eventType });
    else this.finish(i, { at, type: event.eventType });
  }

  latencies(from: number, to: number): number[] {
    const out: number[] = [];
    for (let i = from; i < to; i++) {
      const e = this.ended.get(i);
      if (e?.type === 'saga.completed') out.push(e.at - this.startedAt.get(i)!);
    }
    return out;
  }

  window(from: number, to: number): { firstStart: number; lastEnd: number; byType: Record<string, number> } {
    let firstStart = Infinity;
    let lastEnd = 0;
    const byType: Record<string, number> = {};
    for (let i = from; i < to; i++) {
      firstStart = Math.min(firstStart, this.startedAt.get(i) ?? Infinity);
      const e = this.ended.get(i);
      if (e) {
        lastEnd = Math.max(lastEnd, e.at);
        byType[e.type] = (byType[e.type] ?? 0) + 1;
      }
    }
    return { firstStart, lastEnd, byType };
  }

  private finish(i: number, e: { at: number; type: string }): void {
    if (this.ended.has(i)) return; // lifecycle events are at-least-once
    this.ended.set(i, e);
    this.inFlight -= 1;
    this.launch();
  }

  private launch(): void {
    const batch: number[] = [];
    while (this.inFlight < this.concurrency && this.next < this.end) {
      batch.push(this.next++);
      this.inFlight += 1;
    }
    if (batch.length > 0) {
      const now = Date.now();
      for (const i of batch) this.startedAt.set(i, now);
      const messages = batch.map((i) => {
        const start: StartSagaMessage = { protocolVersion: 1, idempotencyKey: `${this.runId}-${i}`, definition: this.definition, input: { i } };
        return { topic: this.startTopic, key: start.idempotencyKey, value: JSON.stringify(start) };
      });
      this.bus.publish(messages).catch((err: Error) => this.failed?.(err));
    }
    if (this.inFlight === 0 && this.next >= this.end) this.done?.();
  }
}

interface BenchResult {
  options: BenchOptions;
  measured: number;
  completed: number;
  compensated: number;
  failed: number;
  seconds: number;
  sagasPerSecond: number;
  latencyMs: LatencySummary;
  coordinator: { cpuSeconds: number | null; cpuPercentOfOneCore: number | null; peakRssMb: number | null };
  driverAndParticipantsCpuPercentOfOneCore: number;
}

async function main(options: BenchOptions, cleanup: CleanupStack): Promise<BenchResult> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `bench-${runId}`;
  const infra = spawnSync(process.execPath, [join(ROOT, 'docker', 'infra.js'), 'up'], { cwd: ROOT, stdio: 'inherit' });
  if (infra.status !== 0) throw new Error('could not bring up PostgreSQL and Kafka (see above)');
  const local = readLocalInfraEnv();
  const databaseUrl = process.env.DATABASE_URL || local.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/saga_coordinator';
  const brokers = process.env.KAFKA_BROKERS || local.KAFKA_BROKERS || '127.0.0.1:9092';

  const coordinatorDb = `saga_bench_${runId}_coordinator`;
  const participantDb = `saga_bench_${runId}_participants`;
  const dbs = await createThrowawayDatabases(databaseUrl, [coordinatorDb, participantDb]);
  cleanup.push('drop the benchmark databases', () => dbs.drop());
  const bus = new KafkaBus({ brokers: brokers.split(','), clientId: 'saga-bench' });
  await bus.connect();
  cleanup.push('disconnect from Kafka', () => bus.disconnect());
  const topics = topicNames(prefix);
  const participantNames = Array.from({ length: options.steps }, (_, k) => `bench-s${k + 1}`);
  const allTopics = [topics.start, topics.replies, topics.events, topics.deadLetter, ...participantNames.map((p) => topics.commands(p))];
  cleanup.push('delete the benchmark topics', () => deleteTopics(brokers, allTopics));
  await bus.ensureTopics(allTopics.map((topic) => ({ topic, partitions: options.partitions, replicationFactor: 1 })));

  const children = new ChildProcesses(ROOT, join(ROOT, '.local', 'bench', runId));
  cleanup.push('stop the coordinator', () => children.stopAll());
  process.once('exit', () => children.killAllNow());
  let crashed: string | undefined;
  children.onUnexpectedExit((name, code) => (crashed ??= `${name} exited unexpectedly (code ${code}):\n${children.tail(name)}`));
  const port = await freePort();
  children.start({ name: 'coordinator', args: [...TS_NODE, 'src/main.ts'], env: coordinatorEnv({ databaseUrl: dbs.urls[coordinatorDb], brokers, prefix, partitions: options.partitions, port }) });

  const participantPool = new Pool({ connectionString: dbs.urls[participantDb], max: 20 });
  const coordinatorPool = new Pool({ connectionString: dbs.urls[coordinatorDb], max: 2 });
  // The bench drops its databases WITH (FORCE) at the end; an idle connection's death must not crash it.
  for (const pool of [participantPool, coordinatorPool]) pool.on('error', () => undefined);
  cleanup.push('close database pools', async () => {
    await participantPool.end();
    await coordinatorPool.end();
  });
  const definition = benchDefinition(`bench-${options.steps}-steps`, options.steps);
  const driver = new ClosedLoopDriver(bus, topics.start, definition.name, runId);
  const participants = await startBenchParticipants({ bus, pool: participantPool, prefix, steps: options.steps, partitions: options.partitions, onFirstStep: (i, sagaId) => driver.bind(i, sagaId) });
  cleanup.push('stop the participants', async () => {
    for (const p of participants) await p.stop();
  });
  const events = await bus.subscribe({
    groupId: `${prefix}-driver`,
    topics: [topics.events],
    fromBeginning: true,
    partitionsConsumedConcurrently: options.partitions,
    handleBatch: async (messages) => {
      const at = Date.now();
      for (const m of messages) driver.onEvent(JSON.parse(m.value!.toString('utf8')) as LifecycleEventMessage, at);
    },
  });
  cleanup.push('stop the event consumer', () => events.stop());
  await waitUntil('the coordinator to be ready', 180_000, () => crashed, () => coordinatorReady(port));
  const config = loadConfig({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: String(options.partitions), API_AUTH: 'disabled', HTTP_HOST: '127.0.0.1' });
  await new SagaDefinitionService(coordinatorPool, bus, config).register(definition);

  const pid = children.pid('coordinator')!;
  const watchdog = setInterval(() => crashed && process.stderr.write(`${crashed}\n`), 5_000);
  cleanup.push('stop the watchdog', async () => clearInterval(watchdog));
  const giveUp = (what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${options.maxWaitS} s`)), options.maxWaitS * 1000).unref());
  out(`warming up: ${options.warmup} sagas...`);
  if (options.warmup > 0) await Promise.race([driver.run(0, options.warmup, options.concurrency), giveUp('the warm-up')]);
  out(`measuring: ${options.sagas} sagas of ${options.steps} steps, ${options.concurrency} in flight, ${options.partitions} partitions...`);
  const cpuBefore = cpuSeconds(pid);
  const selfBefore = process.cpuUsage();
  const wallBefore = Date.now();
  await Promise.race([driver.run(options.warmup, options.sagas, options.concurrency), giveUp('the measurement')]);
  const wall = (Date.now() - wallBefore) / 1000;
  const cpuAfter = cpuSeconds(pid);
  const self = process.cpuUsage(selfBefore);

  const range: [number, number] = [options.warmup, options.warmup + options.sagas];
  const w = driver.window(...range);
  const seconds = (w.lastEnd - w.firstStart) / 1000;
  const completed = w.byType['saga.completed'] ?? 0;
  const coordinatorCpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  return {
    options,
    measured: options.sagas,
    completed,
    compensated: w.byType['saga.compensated'] ?? 0,
    failed: w.byType['saga.failed'] ?? 0,
    seconds: round(seconds, 3),
    sagasPerSecond: round(completed / seconds, 1),
    latencyMs: roundAll(summarize(driver.latencies(...range))),
    coordinator: {
      cpuSeconds: coordinatorCpu === undefined ? null : round(coordinatorCpu, 2),
      cpuPercentOfOneCore: coordinatorCpu === undefined ? null : round((coordinatorCpu / wall) * 100, 1),
      peakRssMb: peakRssMb(pid) === undefined ? null : round(peakRssMb(pid)!, 1),
    },
    driverAndParticipantsCpuPercentOfOneCore: round(((self.user + self.system) / 1e6 / wall) * 100, 1),
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
function roundAll(s: LatencySummary): LatencySummary {
  return { count: s.count, p50: round(s.p50, 1), p95: round(s.p95, 1), p99: round(s.p99, 1), max: round(s.max, 1), mean: round(s.mean, 1) };
}

function table(r: BenchResult): string {
  const rows: [string, string][] = [
    ['sagas measured', `${r.measured} (${r.completed} completed, ${r.compensated} compensated, ${r.failed} failed)`],
    ['steps per saga', String(r.options.steps)],
    ['concurrency', `${r.options.concurrency} sagas in flight`],
    ['partitions', String(r.options.partitions)],
    ['throughput', `${r.sagasPerSecond} completed sagas/s over ${r.seconds} s`],
    ['latency p50 / p95 / p99', `${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99} ms (max ${r.latencyMs.max})`],
    ['coordinator CPU', r.coordinator.cpuPercentOfOneCore === null ? 'n/a (no /proc)' : `${r.coordinator.cpuPercentOfOneCore}% of one core (${r.coordinator.cpuSeconds} s)`],
    ['coordinator peak RSS', r.coordinator.peakRssMb === null ? 'n/a (no /proc)' : `${r.coordinator.peakRssMb} MiB`],
    ['driver + participants CPU', `${r.driverAndParticipantsCpuPercentOfOneCore}% of one core`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

function run(): void {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const cleanup = new CleanupStack();
  const report = (m: string) => process.stderr.write(`${m}\n`);
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    void cleanup.run(report).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  main(options, cleanup).then(
    async (result) => {
      await cleanup.run(report);
      out('');
      out(table(result));
      out('');
      out(`BENCH_RESULT ${JSON.stringify(result)}`);
      process.exit(result.completed === result.measured ? 0 : 1);
    },
    async (err: Error) => {
      if (interrupted) return;
      process.stderr.write(`\nBenchmark failed: ${'retriable' in err ? err.message : err.stack}\n`);
      await cleanup.run(report);
      process.exit(1);
    },
  );
}

run();
