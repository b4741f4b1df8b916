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
  /** Coordinator processes in one consumer group. @default 1 */
  replicas: number;
  /** Participant processes; 0 means one per participant (step). @default 0 */
  participantProcesses: number;
  /** Concurrencies to run one after the other (a throughput/latency curve); empty: one run at `concurrency`. @default [] */
  sweep: number[];
  /** Skip `npm run build` and run the dist/ that is there. @default false */
  noBuild: boolean;
  /** SIGKILL coordinator replica 1 once this many measured sagas have ended (0: never); the others must finish its sagas. Needs --replicas 2 or more. @default 0 */
  killReplicaAfter: number;
  /** After the measured window, start this many sagas that wait on a step nobody answers and read the coordinator's RSS (0: skip). @default 0 */
  waiting: number;
}

export const BENCH_DEFAULTS: BenchOptions = { sagas: 500, concurrency: 50, steps: 3, partitions: 6, warmup: 30, maxWaitS: 600, replicas: 1, participantProcesses: 0, sweep: [], noBuild: false, killReplicaAfter: 0, waiting: 0 };

export const BENCH_USAGE =
  'usage: npm run bench -- [--sagas N] [--concurrency N] [--steps N] [--partitions N] [--warmup N] [--max-wait-s N] [--replicas N] [--kill-replica-after N] [--waiting N] [--participant-processes N] [--sweep N,N,...] [--no-build]';

export class BenchUsageError extends Error {
  readonly code = 'BENCH_USAGE';
  readonly retriable = false;
}

type NumberOption = 'sagas' | 'concurrency' | 'steps' | 'partitions' | 'warmup' | 'maxWaitS' | 'replicas' | 'participantProcesses' | 'killReplicaAfter' | 'waiting';

const LIMITS: Record<NumberOption, [number, number]> = {
  sagas: [1, 1_000_000],
  concurrency: [1, 10_000],
  steps: [1, 20],
  partitions: [1, 100],
  warmup: [0, 100_000],
  maxWaitS: [1, 86_400],
  replicas: [1, 16],
  participantProcesses: [0, 64],
  killReplicaAfter: [0, 1_000_000],
  waiting: [0, 1_000_000],
};

const NUMBER_FLAGS: Record<string, NumberOption> = {
  '--sagas': 'sagas',
  '--concurrency': 'concurrency',
  '--steps': 'steps',
  '--partitions': 'partitions',
  '--warmup': 'warmup',
  '--max-wait-s': 'maxWaitS',
  '--replicas': 'replicas',
  '--participant-processes': 'participantProcesses',
  '--kill-replica-after': 'killReplicaAfter',
  '--waiting': 'waiting',
};

function integerIn(flag: string, text: string | undefined, [min, max]: [number, number]): number {
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(value) || value < min || value > max) throw new BenchUsageError(`${flag} must be an integer between ${min} and ${max}, got ${text}\n${BENCH_USAGE}`);
  return value;
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = { ...BENCH_DEFAULTS, sweep: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--no-build') {
      if (inline !== undefined) throw new BenchUsageError(`--no-build takes no value\n${BENCH_USAGE}`);
      options.noBuild = true;
      continue;
    }
    if (flag !== '--sweep' && !NUMBER_FLAGS[flag]) throw new BenchUsageError(`unknown option ${argv[i]}\n${BENCH_USAGE}`);
    const text = inline ?? argv[++i];
    if (flag === '--sweep') {
      const points = (text ?? '').split(',').map((t) => integerIn('--sweep', t.trim(), LIMITS.concurrency));
      if (new Set(points).size !== points.length) throw new BenchUsageError(`--sweep lists a concurrency twice: ${text}\n${BENCH_USAGE}`);
      options.sweep = points;
      continue;
    }
    const key = NUMBER_FLAGS[flag];
    options[key] = integerIn(flag, text, LIMITS[key]);
  }
  if (options.killReplicaAfter > 0 && options.replicas < 2) throw new BenchUsageError(`--kill-replica-after needs --replicas 2 or more: the others finish the killed replica's sagas\n${BENCH_USAGE}`);
  if (options.waiting > 0 && options.sweep.length > 0) throw new BenchUsageError(`--waiting is measured once, not at every point of a sweep: run it without --sweep\n${BENCH_USAGE}`);
  return options;
}

/** Participant processes actually started: 0 means one per step. */
export function participantProcessCount(options: Pick<BenchOptions, 'steps' | 'participantProcesses'>): number {
  return options.participantProcesses === 0 ? options.steps : options.participantProcesses;
}

/**
 * Which participants (1-based step numbers) each participant process hosts. Fewer
 * processes than steps: round-robin; more: extra processes join a participant's
 * consumer group (same name), so its partitions are shared.
 */
export function participantPlacement(steps: number, processes: number): number[][] {
  const placement: number[][] = Array.from({ length: processes }, () => []);
  if (processes <= steps) for (let k = 1; k <= steps; k++) placement[(k - 1) % processes].push(k);
  else for (let p = 0; p < processes; p++) placement[p].push((p % steps) + 1);
  return placement;
}

/**
 * The options of one point of a sweep: the same bench at `concurrency`, measuring at
 * least four sagas per slot after a warm-up of at least one saga per slot, so every
 * point reaches a steady state.
 */
export function sweepPointOptions(options: BenchOptions, concurrency: number): BenchOptions {
  return { ...options, concurrency, sagas: Math.max(options.sagas, 4 * concurrency), warmup: Math.max(options.warmup, concurrency), sweep: [] };
}
