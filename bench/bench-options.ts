// Command-line options of `npm run bench`, with their defaults.
export interface BenchOptions {
  /** Sagas measured (after the warm-up). @default 500 */
  sagas: number;
  /** Sagas in flight at once (closed loop: a new one starts when one ends). @default 50 */
  concurrency: number;
  /** Sequential steps per saga, each in its own participant. @default 3 */
  steps: number;
  /** Partitions of every topic (the ceiling of parallel consumers). @default 6 */
  partitions: number;
  /** Sagas run before measuring, to warm up JIT, pools and consumer groups. @default 30 */
  warmup: number;
  /** Give up after this many seconds. @default 600 */
  maxWaitS: number;
}

export const BENCH_DEFAULTS: BenchOptions = { sagas: 500, concurrency: 50, steps: 3, partitions: 6, warmup: 30, maxWaitS: 600 };

export const BENCH_USAGE = 'usage: npm run bench -- [--sagas N] [--concurrency N] [--steps N] [--partitions N] [--warmup N] [--max-wait-s N]';

export class BenchUsageError extends Error {
  readonly code = 'BENCH_USAGE';
  readonly retriable = false;
}

const LIMITS: Record<keyof BenchOptions, [number, number]> = {
  sagas: [1, 1_000_000],
  concurrency: [1, 10_000],
  steps: [1, 20],
  partitions: [1, 100],
  warmup: [0, 100_000],
  maxWaitS: [1, 86_400],
};

const FLAGS: Record<string, keyof BenchOptions> = {
  '--sagas': 'sagas',
  '--concurrency': 'concurrency',
  '--steps': 'steps',
  '--partitions': 'partitions',
  '--warmup': 'warmup',
  '--max-wait-s': 'maxWaitS',
};

export function parseBenchOptions(argv: string[]): BenchOptions {
  const options = { ...BENCH_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const key = FLAGS[flag];
    if (!key) throw new BenchUsageError(`unknown option ${argv[i]}\n${BENCH_USAGE}`);
    const text = inline ?? argv[++i];
    const value = Number(text);
    const [min, max] = LIMITS[key];
    if (text === undefined || !Number.isInteger(value) || value < min || value > max) throw new BenchUsageError(`${flag} must be an integer between ${min} and ${max}, got ${text}\n${BENCH_USAGE}`);
    options[key] = value;
  }
  return options;
}
