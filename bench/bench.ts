// `npm run bench`: sagas per second, end-to-end latency, CPU per saga of every process
// group and a per-hop latency breakdown of the coordinator over the real Kafka and
// PostgreSQL, with minimal SDK participants. See bench/README.md for what each figure means.
//
// The coordinator runs compiled (node dist/main.js; `npm run build` first unless --no-build), as
// --replicas processes in one consumer group; the participants (one per step, built on
// the SDK, each step one row behind the barrier) run in their own processes; the
// closed-loop driver runs in this process. `--sweep 1,16,64` runs the bench once per
// concurrency and draws the curve into .local/bench/. Prints tables and one
// machine-readable line (BENCH_RESULT {json}).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalInfraEnv } from '../src/config/local-infra-env';
import { CleanupStack } from '../test/harness/cleanup-stack';
import { parseBenchOptions, sweepPointOptions, type BenchOptions } from './bench-options';
import { hopTable, processTable, summaryTable, sweepTable } from './bench-report';
import { runBench, type BenchInfra, type BenchResult } from './bench-run';
import { sweepSvg } from './sweep-plot';

const ROOT = join(__dirname, '..');
const out = (line = '') => process.stdout.write(`${line}\n`);

class BenchSetupError extends Error {
  readonly code = 'BENCH_SETUP_FAILED';
  readonly retriable = false;
}

/** Compiles the participant SDK package and the coordinator (`npm run build`). */
function build(): void {
  out('building the coordinator (npm run build)...');
  const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (npm.status !== 0) throw new BenchSetupError('npm run build failed (see above)');
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new BenchSetupError('npm run build left no dist/main.js');
}

function infrastructure(): BenchInfra {
  const infra = spawnSync(process.execPath, [join(ROOT, 'docker', 'infra.js'), 'up'], { cwd: ROOT, stdio: 'inherit' });
  if (infra.status !== 0) throw new BenchSetupError('could not bring up PostgreSQL and Kafka (see above)');
  const local = readLocalInfraEnv();
  return {
    root: ROOT,
    databaseUrl: process.env.DATABASE_URL || local.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/saga_coordinator',
    brokers: process.env.KAFKA_BROKERS || local.KAFKA_BROKERS || '127.0.0.1:9092',
  };
}

function printRun(r: BenchResult): void {
  out('');
  out(summaryTable(r));
  out('');
  out(processTable(r));
  out('');
  out(hopTable(r));
}

/** Summary of one sweep point for BENCH_RESULT and the plot. */
function sweepPoint(r: BenchResult) {
  const cpuMsPerSaga = Object.fromEntries(Object.entries(r.processes).map(([g, f]) => [g, f?.cpuMsPerSaga ?? null]));
  return { concurrency: r.options.concurrency, sagasPerSecond: r.sagasPerSecond, p50: r.latencyMs.p50, p95: r.latencyMs.p95, p99: r.latencyMs.p99, cpuMsPerSaga, loadAverage: r.loadAverage.after };
}

async function main(options: BenchOptions, current: { cleanup?: CleanupStack }, report: (m: string) => void): Promise<boolean> {
  if (!options.noBuild) build();
  const infra = infrastructure();
  const points = options.sweep.length > 0 ? options.sweep : [options.concurrency];
  const results: BenchResult[] = [];
  for (const concurrency of points) {
    const runOptions = options.sweep.length > 0 ? sweepPointOptions(options, concurrency) : options;
    if (options.sweep.length > 0) out(`\nsweep point: ${concurrency} in flight`);
    current.cleanup = new CleanupStack();
    try {
      results.push(await runBench(runOptions, infra, current.cleanup, out));
    } finally {
      await current.cleanup.run(report);
      current.cleanup = undefined;
    }
    printRun(results[results.length - 1]);
  }
  const dir = join(ROOT, '.local', 'bench');
  mkdirSync(dir, { recursive: true });
  if (options.sweep.length > 0) {
    const sweep = results.map(sweepPoint);
    const stamp = results[0].runId;
    const svg = join(dir, `sweep-${stamp}.svg`);
    writeFileSync(svg, sweepSvg(sweep, `Saga coordinator: ${options.steps}-step sagas over concurrency (${options.replicas} coordinator(s), ${options.partitions} partitions)`));
    writeFileSync(join(dir, `sweep-${stamp}.json`), JSON.stringify({ sweep, runs: results }, null, 2));
    out('');
    out('sweep:');
    out(sweepTable(results));
    out(`\nplot: ${svg}`);
    out('');
    out(`BENCH_RESULT ${JSON.stringify({ options, sweep, runs: results })}`);
  } else {
    writeFileSync(join(results[0].logDir, 'result.json'), JSON.stringify(results[0], null, 2));
    out('');
    out(`BENCH_RESULT ${JSON.stringify(results[0])}`);
  }
  return results.every((r) => r.completed === r.measured);
}

function run(): void {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const current: { cleanup?: CleanupStack } = {};
  const report = (m: string) => process.stderr.write(`${m}\n`);
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    void (current.cleanup?.run(report) ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  main(options, current, report).then(
    (allCompleted) => process.exit(allCompleted ? 0 : 1),
    (err: Error) => {
      if (interrupted) return;
      process.stderr.write(`\nBenchmark failed: ${'retriable' in err ? err.message : err.stack}\n`);
      process.exit(1);
    },
  );
}

run();
