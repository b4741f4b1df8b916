// `npm run demo`: the order-fulfilment example, end to end, on this machine.
//
// Brings up PostgreSQL and Kafka if none answer (docker/infra.js), creates the demo's
// own databases and topic prefix, starts the coordinator and the four participant
// services as separate processes, submits orders on the start topic (a mix that
// succeeds, runs out of credit or of stock, with flaky inventory and shipping), shows
// progress, then checks the business data of all four services and prints a summary.
// Exit code 0 only if every saga ended, none needs an operator, and the data is consistent.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadConfig } from '../../../src/config/app-config';
import { readLocalInfraEnv } from '../../../src/config/local-infra-env';
import { SagaDefinitionService } from '../../../src/coordinator/saga-definition.service';
import { type StartSagaMessage, topicNames } from '@saga-coordinator/participant/protocol';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { migrateBusinessSchema } from '../business-schema';
import { PARTICIPANTS, type OrderInput } from '../order';
import { ORDER_FULFILMENT, orderFulfilmentSaga } from '../order-fulfilment.saga';
import { seedAccounts, seedStock } from '../seed';
import { nullCompensations, readBusinessSnapshot, type ParticipantPools } from './business-snapshot';
import { ChildProcesses } from '../../../test/harness/child-processes';
import { CleanupStack } from '../../../test/harness/cleanup-stack';
import { coordinatorEnv, coordinatorReady, deleteTopics, freePort, TS_NODE, waitUntil } from '../../../test/harness/coordinator-process';
import { createDemoDatabases, type DemoDatabases } from './demo-databases';
import { checkConsistency } from './consistency-check';
import { compensationReasons, statusCounts, timedOutAttempts } from './coordinator-queries';
import { parseDemoOptions, type DemoOptions } from './demo-options';
import { progressLine, summaryText, type StatusCounts } from './demo-report';
import { CATALOGUE, customers, generateOrders, seededRandom } from './order-generator';

const ROOT = join(__dirname, '..', '..', '..');
const STARTUP_TIMEOUT_MS = 180_000;
const out = (line = '') => process.stdout.write(`${line}\n`);

class DemoError extends Error {
  readonly code = 'DEMO_FAILED';
  readonly retriable = false;
}

async function main(options: DemoOptions, cleanup: CleanupStack, interrupted: AbortSignal): Promise<number> {
  const started = Date.now();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `demo-${runId}`;
  out(`Order fulfilment demo: ${options.orders} orders, 4 participant services, seed ${options.seed}, flaky rate ${options.flaky}`);
  out('');
  out('1/5 PostgreSQL and Kafka');
  const infra = spawnSync(process.execPath, [join(ROOT, 'docker', 'infra.js'), 'up'], { cwd: ROOT, stdio: 'inherit' });
  if (infra.status !== 0) throw new DemoError('could not bring up PostgreSQL and Kafka (see the lines above)');
  const local = readLocalInfraEnv();
  const databaseUrl = process.env.DATABASE_URL || local.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/saga_coordinator';
  const brokers = process.env.KAFKA_BROKERS || local.KAFKA_BROKERS || '127.0.0.1:9092';

  out(`2/5 the demo's own databases (saga_demo_${runId}_*) and topics (${prefix}.*)`);
  const dbs = await createDemoDatabasesStep(databaseUrl, runId, options, cleanup);
  const bus = new KafkaBus({ brokers: brokers.split(','), clientId: 'saga-demo' });
  await bus.connect();
  cleanup.push('disconnect from Kafka', () => bus.disconnect());
  const topics = topicNames(prefix);
  const allTopics = [topics.start, topics.replies, topics.events, topics.deadLetter, ...PARTICIPANTS.map((p) => topics.commands(p))];
  if (!options.keep) cleanup.push('delete the demo topics', () => deleteTopics(brokers, allTopics));
  await bus.ensureTopics(allTopics.map((topic) => ({ topic, partitions: options.partitions, replicationFactor: 1 })));
  const pools = Object.fromEntries(PARTICIPANTS.map((p) => [p, quietPool(dbs.participants[p])])) as ParticipantPools;
  const coordinatorPool = quietPool(dbs.coordinator);
  cleanup.push('close database pools', async () => {
    await Promise.all([...Object.values(pools), coordinatorPool].map((p) => p.end()));
  });
  for (const p of PARTICIPANTS) await migrateBusinessSchema(pools[p], p);
  await seedAccounts(pools.payments, customers());
  await seedStock(pools.inventory, CATALOGUE);

  out('3/5 the coordinator and the participants orders, payments, inventory, shipping (separate processes)');
  const children = new ChildProcesses(ROOT, join(ROOT, '.local', 'demo', runId));
  cleanup.push('stop the coordinator and participants', () => children.stopAll());
  process.once('exit', () => children.killAllNow());
  let crashed: string | undefined;
  children.onUnexpectedExit((name, code) => (crashed ??= `${name} exited unexpectedly (code ${code}); its last lines:\n${children.tail(name)}`));
  const port = await freePort();
  // Kept running, it is for a person: the dashboard (built if missing) and an admin key to use it with.
  const apiKey = options.keepRunning ? `sck_${randomBytes(24).toString('hex')}` : undefined;
  if (options.keepRunning) buildDashboardIfMissing();
  children.start({
    name: 'coordinator',
    args: [...TS_NODE, 'src/main.ts'],
    env: { ...coordinatorEnv({ databaseUrl: dbs.coordinator, brokers, prefix, partitions: options.partitions, port }), ...(apiKey ? { API_AUTH: 'keys', API_KEYS: `demo-admin:admin:${apiKey}` } : {}) },
  });
  for (const p of PARTICIPANTS) {
    const flaky = p === 'inventory' || p === 'shipping' ? options.flaky : 0;
    children.start({
      name: p,
      args: [...TS_NODE, 'examples/order-fulfilment/participants/participant-process.ts', p],
      env: { DATABASE_URL: dbs.participants[p], KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, FLAKY_RATE: String(flaky), LOG_LEVEL: 'warn' },
      readyLine: /^ready /,
    });
  }
  out(`    logs: ${children.logDir}`);
  await waitUntil('the coordinator and participants to be ready', STARTUP_TIMEOUT_MS, () => crashed, async () => {
    return (await coordinatorReady(port)) && PARTICIPANTS.every((p) => children.isReady(p));
  });

  out('4/5 registering the saga definition and submitting orders on the start topic');
  const config = loadConfig({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: String(options.partitions), API_AUTH: 'disabled', HTTP_HOST: '127.0.0.1' });
  await new SagaDefinitionService(coordinatorPool, bus, config).register(orderFulfilmentSaga({ stepTimeoutMs: options.stepTimeoutMs }));
  const orders = generateOrders(options.orders, runId, seededRandom(options.seed));
  const firstSubmit = Date.now();
  const submitting = submitOrders(bus, topics.start, orders, options.rate, interrupted);
  submitting.promise.catch(() => undefined); // observed here; awaited below
  let last = await watchProgress(coordinatorPool, orders.length, firstSubmit, submitting, options.maxWaitS, () => crashed ?? (interrupted.aborted ? 'interrupted' : undefined));
  await submitting.promise;

  out('5/5 checking the business data of the four services');
  const snapshot = await readBusinessSnapshot(coordinatorPool, pools);
  const consistency = checkConsistency(orders, snapshot);
  last = (await statusCounts(coordinatorPool)).counts;
  const span = await coordinatorPool.query<{ ms: number }>(
    'select coalesce(extract(epoch from max(finished_at) - min(created_at)) * 1000, 0)::float8 as ms from saga_instances where definition_name = $1',
    [ORDER_FULFILMENT],
  );
  const missing = orders.length - snapshot.sagas.length;
  out(
    summaryText({
      submitted: orders.length,
      counts: last,
      missing,
      elapsedMs: span.rows[0].ms,
      compensationReasons: await compensationReasons(coordinatorPool),
      timedOutAttempts: await timedOutAttempts(coordinatorPool),
      nullCompensations: await nullCompensations(pools),
      consistency,
    }),
  );
  const unfinished = last.RUNNING + last.COMPENSATING + missing;
  const ok = consistency.ok && unfinished === 0 && last.FAILED === 0;
  out('');
  out(ok ? `Demo OK in ${((Date.now() - started) / 1000).toFixed(0)} s.` : `Demo FAILED: ${[!consistency.ok && 'the business data is inconsistent', unfinished > 0 && `${unfinished} sagas did not end`, last.FAILED > 0 && `${last.FAILED} sagas need an operator`].filter(Boolean).join('; ')}. Logs: ${children.logDir}`);
  if (options.keep) out(`Kept: databases ${dbs.names.join(', ')}; topics ${prefix}.*`);
  const code = ok ? 0 : 1;
  if (apiKey) await keepRunning({ port, apiKey, pool: coordinatorPool, bus, topic: topics.start, runId, seed: options.seed, interrupted, crashed: () => crashed });
  return code;
}

/**
 * `--keep-running`: prints where to look (the dashboard, a compensated order, /metrics)
 * and keeps submitting an order every two seconds, so the counters move, until Ctrl-C or
 * a child crashes; then the demo cleans up as usual.
 */
async function keepRunning(s: { port: number; apiKey: string; pool: Pool; bus: KafkaBus; topic: string; runId: string; seed: number; interrupted: AbortSignal; crashed: () => string | undefined }): Promise<void> {
  serving = true;
  const base = `http://127.0.0.1:${s.port}`;
  const compensated = await s.pool.query<{ saga_id: string; business_key: string }>(
    "select saga_id, business_key from saga_instances where definition_name = $1 and status = 'COMPENSATED' order by created_at limit 1",
    [ORDER_FULFILMENT],
  );
  const example = compensated.rows[0];
  out('');
  out('The coordinator and the participants keep running; new orders arrive every 2 s. Ctrl-C stops everything and cleans up.');
  out(`  dashboard           ${base}/ui/`);
  out(`  API key (admin)     ${s.apiKey}`);
  if (example) out(`  a compensated order ${base}/ui/#/sagas/${example.saga_id}   (order ${example.business_key})`);
  out(`  metrics             ${base}/metrics`);
  out(`  API                 curl -H "Authorization: Bearer ${s.apiKey}" "${base}/v1/sagas?status=COMPENSATED"`);
  const random = seededRandom(s.seed + 1);
  for (let n = 0; !s.interrupted.aborted; n++) {
    const failure = s.crashed();
    if (failure) throw new DemoError(failure);
    const [order] = generateOrders(1, `${s.runId}-live-${n}`, random);
    const start: StartSagaMessage = { protocolVersion: 1, idempotencyKey: order.orderId, definition: ORDER_FULFILMENT, input: { ...order, lines: order.lines.map((l) => ({ ...l })) }, businessKey: order.orderId };
    await s.bus.publish([{ topic: s.topic, key: order.orderId, value: JSON.stringify(start), headers: { 'message-type': 'start-saga', 'protocol-version': '1' } }]).catch(() => undefined);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      s.interrupted.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
    });
  }
}

/** The dashboard is built by `npm run build`; a demo run from a fresh clone builds it here. */
function buildDashboardIfMissing(): void {
  if (existsSync(join(ROOT, 'packages', 'dashboard', 'dist', 'index.html'))) return;
  out('    building the dashboard (npm run build:dashboard)');
  const built = spawnSync(process.execPath, [join(ROOT, 'packages', 'dashboard', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new DemoError('could not build the dashboard (see the lines above)');
}

/** Set while --keep-running serves: Ctrl-C then ends the demo normally (its result, cleanup), not as an interruption. */
let serving = false;

async function createDemoDatabasesStep(databaseUrl: string, runId: string, options: DemoOptions, cleanup: CleanupStack): Promise<DemoDatabases> {
  const dbs = await createDemoDatabases(databaseUrl, runId);
  if (!options.keep) cleanup.push('drop the demo databases', () => dbs.drop());
  return dbs;
}

/** Publishes start requests at `rate` per second, in small batches; the idempotency key is the order id. */
function submitOrders(bus: KafkaBus, topic: string, orders: OrderInput[], rate: number, interrupted: AbortSignal): { promise: Promise<void>; count(): number } {
  let sent = 0;
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const promise = (async () => {
    while (sent < orders.length && !interrupted.aborted) {
      const tickStart = Date.now();
      const batch = orders.slice(sent, sent + perTick);
      await bus.publish(
        batch.map((order) => {
          const start: StartSagaMessage = { protocolVersion: 1, idempotencyKey: order.orderId, definition: ORDER_FULFILMENT, input: { ...order, lines: order.lines.map((l) => ({ ...l })) }, businessKey: order.orderId };
          return { topic, key: order.orderId, value: JSON.stringify(start), headers: { 'message-type': 'start-saga', 'protocol-version': '1' } };
        }),
      );
      sent += batch.length;
      await sleep(Math.max(0, tickMs - (Date.now() - tickStart)));
    }
  })();
  return { promise, count: () => sent };
}

async function watchProgress(pool: Pool, total: number, since: number, submitting: { count(): number }, maxWaitS: number, crashed: () => string | undefined): Promise<StatusCounts> {
  const tty = process.stdout.isTTY;
  let lastPrinted = 0;
  for (;;) {
    const { counts, total: known } = await statusCounts(pool);
    const ended = counts.COMPLETED + counts.COMPENSATED + counts.FAILED;
    const done = known >= total && ended >= total;
    const line = progressLine(Date.now() - since, submitting.count(), total, counts);
    if (tty) process.stdout.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
    else if (done || Date.now() - lastPrinted >= 5_000) {
      out(line);
      lastPrinted = Date.now();
    }
    if (done) return counts;
    const failure = crashed();
    if (failure) throw new DemoError(failure);
    if (Date.now() - since > maxWaitS * 1000) {
      if (tty) out();
      out(`  gave up waiting after ${maxWaitS} s (--max-wait-s)`);
      return counts;
    }
    await sleep(500);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function run(): void {
  let options: DemoOptions;
  try {
    options = parseDemoOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const cleanup = new CleanupStack();
  const report = (m: string) => process.stderr.write(`${m}\n`);
  const abort = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) return;
    abort.abort();
    if (serving) {
      out(`\n${signal}: stopping the coordinator and participants and cleaning up...`);
      return; // main returns the demo's result; the cleanup below runs
    }
    out(`\n${signal}: stopping the demo and cleaning up...`);
    void cleanup.run(report).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  main(options, cleanup, abort.signal).then(
    async (code) => {
      await cleanup.run(report);
      process.exit(code);
    },
    async (err: Error) => {
      if (abort.signal.aborted) return; // the interrupt handler cleans up and exits
      // Our own errors explain themselves; anything else keeps its stack.
      process.stderr.write(`\nDemo failed: ${'retriable' in err ? err.message : err.stack}\n`);
      await cleanup.run(report);
      process.exit(1);
    },
  );
}

run();

/** A small pool that survives its connections being dropped (the demo drops its databases WITH (FORCE) at the end). */
function quietPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}
