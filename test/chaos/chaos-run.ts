/**
 * One chaos run, start to end: stand up the environment (chaos-environment.ts), drive a
 * steady load of orders with the seeded fault schedule during it, wait (bounded) for
 * every saga to end, then read the outcome (chaos-outcome.ts) and check the invariants.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupStack } from '../harness/cleanup-stack';
import { generateOrders, seededRandom } from '../../examples/order-fulfilment/demo/order-generator';
import { ChaosSetupError, startEnvironment, type ChaosEnvironment } from './chaos-environment';
import type { ChaosOptions } from './chaos-options';
import { collectFigures, collectMeasures, type DriveResult } from './chaos-outcome';
import { progressLine, scheduleText, type ChaosResult } from './chaos-report';
import * as checks from './coordinator-checks';
import { FaultInjector, stamp } from './fault-injector';
import { faultSchedule, type ScheduledFault } from './fault-schedule';
import { checkInvariants, violations } from './invariants';
import { OrderLoad } from './order-load';
import { createRunDirectory, markKept, pruneRunDirectories } from './run-directories';

const ROOT = join(__dirname, '..', '..');
const PROGRESS_EVERY_MS = 5_000;
/** After the sagas settled: how long the outbox may take to drain, and measurements to conclude. */
const DRAIN_GRACE_MS = 30_000;
/** Directories of earlier runs (their logs) kept for reading; older ones are pruned. */
const KEEP_FAILED_RUNS = 5;

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
  let ok = false;
  // Runs last (the stack unwinds in reverse): logs stay unless the run passed.
  cleanup.push('delete the run directory', async () => {
    if (ok && !options.keep) rmSync(runDir, { recursive: true, force: true });
  });

  const loadMs = (options.orders / options.rate) * 1000;
  const schedule = faultSchedule({ counts: options.faults, loadMs, replicas: options.replicas, seed: options.seed });
  out(`Chaos run ${runId}: ${options.orders} orders at ${options.rate}/s (${(loadMs / 1000).toFixed(0)} s of load) via ${options.via}, ${options.replicas} coordinator replicas, seed ${options.seed}, flaky ${options.flaky}`);
  out(scheduleText(schedule, options.seed));
  out('');
  const env = await startEnvironment({ options, runId, runDir, logDir, cleanup, interrupted, out });
  out('3/4 the load, and the faults during it');
  const drive = await driveLoadAndFaults(env, options, schedule, runId, interrupted, out);
  out('4/4 checking the outcome in the five databases');
  const figures = await collectFigures(env, options, drive);
  const measures = await collectMeasures(env, drive);
  const invariants = checkInvariants(figures);
  const violated = violations(invariants);
  ok = violated.length === 0;
  return { runId, options, schedule, figures, measures, invariants, violations: violated, ok, logDir: ok && !options.keep ? null : logDir };
}

/**
 * The load and the faults at once; then waits until every accepted order has a saga and
 * none is running (FAILED counts as settled: nothing moves it on its own), or
 * --max-wait-s after the load; then up to DRAIN_GRACE_MS for the outbox to drain and
 * the recovery measurements to conclude.
 */
async function driveLoadAndFaults(env: ChaosEnvironment, options: ChaosOptions, schedule: ScheduledFault[], runId: string, interrupted: AbortSignal, out: (line?: string) => void): Promise<DriveResult> {
  const orders = generateOrders(options.orders, runId, seededRandom(options.seed));
  const measuring = new AbortController();
  setMaxListeners(100, measuring.signal); // every recovery measurement waits on it at once
  const stopMeasuring = () => measuring.abort();
  interrupted.addEventListener('abort', stopMeasuring, { once: true });
  const t0 = Date.now();
  const load = new OrderLoad({ orders, rate: options.rate, via: options.via, brokers: env.kafka.brokers, startTopic: env.topics.start, ports: env.coordinators.map((c) => c.port), signal: interrupted });
  const injector = new FaultInjector({
    supervisor: env.supervisor,
    postgres: env.postgres,
    kafka: env.kafka,
    progress: env.progress,
    coordinators: env.coordinators,
    coordinatorGroup: env.coordinatorGroup,
    repliesTopic: env.topics.replies,
    payments: { name: 'payments', group: env.participantGroup('payments'), commandTopic: env.topics.commands('payments') },
    brokerDownMs: options.brokerDownS * 1000,
    t0,
    log: out,
    signal: measuring.signal,
  });
  env.supervisor.onEvent((e) => {
    if (e.kind === 'exited' && !e.expected) out(`${stamp(e.at - t0)}  CRASH ${e.service} (pid ${e.pid}) exited on its own; the supervisor restarts it`);
  });
  let loadEndedAt: number | undefined;
  const loading = load.run().then((figures) => {
    loadEndedAt = Date.now();
    return figures;
  });
  const injecting = injector.run(schedule);

  let counts: checks.StatusCounts | undefined;
  const printProgress = () => {
    const l = load.result();
    out(progressLine(Date.now() - t0, { submitted: l.submitted, total: orders.length, accepted: l.accepted, counts, faults: injector.count(), scheduled: schedule.length, crashes: env.supervisor.crashList().length }));
  };
  let lastPrinted = 0;
  let settledAt: number | null = null;
  for (;;) {
    if (interrupted.aborted) throw new ChaosSetupError('interrupted');
    counts = await checks.statusCounts(env.coordinatorPool).catch(() => counts);
    if (Date.now() - lastPrinted >= PROGRESS_EVERY_MS) {
      printProgress();
      lastPrinted = Date.now();
    }
    if (loadEndedAt !== undefined) {
      const known = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
      if (counts && known >= load.result().accepted && counts.RUNNING + counts.COMPENSATING === 0 && injector.count() === schedule.length) {
        settledAt = Date.now();
        break;
      }
      if (Date.now() - loadEndedAt > options.maxWaitS * 1000) {
        out(`  gave up waiting for the sagas to end ${options.maxWaitS} s after the load (--max-wait-s)`);
        break;
      }
    }
    await sleep(1_000);
  }
  printProgress();
  const drainDeadline = Date.now() + DRAIN_GRACE_MS;
  while (Date.now() < drainDeadline && (await checks.unsentOutboxRows(env.coordinatorPool).catch(() => 1)) > 0) await sleep(500);
  const measureTimer = setTimeout(stopMeasuring, Math.max(0, drainDeadline - Date.now()));
  const faults = await injecting;
  clearTimeout(measureTimer);
  return { t0, loadEndedAt: loadEndedAt!, settledAt, orders, load: await loading, accepted: load.accepted(), scheduledFaults: schedule.length, faults };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
