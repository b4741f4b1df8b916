// Command-line options of `npm run chaos`, with their defaults: the full run of issue 8
// by default, `--short` for the run `npm test` includes.
import { FAULT_KINDS, type FaultKind } from './fault-schedule';

export type SubmitVia = 'start-topic' | 'rest' | 'both';

export interface ChaosOptions {
  /** Orders to submit. @default 3000 (short: 360) */
  orders: number;
  /** Orders submitted per second; the load lasts orders / rate seconds and the faults fall within it. @default 15 (short: 5) */
  rate: number;
  /** How orders are started: on the start topic, with POST /v1/sagas, or alternately. @default both */
  via: SubmitVia;
  /** Coordinator replicas (one consumer group). @default 3 */
  replicas: number;
  /** How many faults of each kind during the load. @default coordinator-kill 5, payments-kill 3, broker-term 1, broker-kill 1, postgres-restart 1 */
  faults: Record<FaultKind, number>;
  /** How long the broker stays down after a stop, in seconds. @default 10 (short: 5) */
  brokerDownS: number;
  /** How soon the supervisor restarts a process that exited, in ms (systemd's RestartSec default; Kubernetes restarts a first crash at once). @default 100 */
  restartDelayMs: number;
  /** Fraction of inventory and shipping commands that time out on purpose (seeded, so the report can tell those compensations apart). @default 0.02 */
  flaky: number;
  /** Attempt timeout of every step of the example saga, in ms. @default 3000 */
  stepTimeoutMs: number;
  /** Seed of the orders, the fault schedule and the flakiness. @default 42 */
  seed: number;
  /** After the load, give up waiting for sagas to end after this many seconds. @default 300 (short: 150) */
  maxWaitS: number;
  /** Partitions of the run's topics. @default 12 */
  partitions: number;
  /** Extra environment of every coordinator replica (KEY=VALUE, repeatable), e.g. a setting the engine gains. */
  coordinatorEnv: Record<string, string>;
  /** Keep the run's PostgreSQL and Kafka data directories and logs (stopped) instead of deleting them. @default false */
  keep: boolean;
  /** Run the dist/ that is there instead of building first (the coordinators run compiled, as in production). @default false */
  noBuild: boolean;
  /** Write the whole result as JSON to this file (the jest spec reads it). */
  json?: string;
}

export const FULL_FAULTS: Record<FaultKind, number> = { 'coordinator-kill': 5, 'payments-kill': 3, 'broker-term': 1, 'broker-kill': 1, 'postgres-restart': 1 };
export const SHORT_FAULTS: Record<FaultKind, number> = { 'coordinator-kill': 1, 'payments-kill': 1, 'broker-term': 1, 'broker-kill': 1, 'postgres-restart': 1 };

export const CHAOS_DEFAULTS: ChaosOptions = {
  orders: 3_000,
  rate: 15,
  via: 'both',
  replicas: 3,
  faults: FULL_FAULTS,
  brokerDownS: 10,
  restartDelayMs: 100,
  flaky: 0.02,
  stepTimeoutMs: 3_000,
  seed: 42,
  maxWaitS: 300,
  partitions: 12,
  coordinatorEnv: {},
  keep: false,
  noBuild: false,
};

/** A few hundred sagas in about a minute of load, every fault kind at least once. */
export const SHORT_RUN: Partial<ChaosOptions> = { orders: 360, rate: 5, faults: SHORT_FAULTS, brokerDownS: 5, maxWaitS: 150 };

export const CHAOS_USAGE = `usage: npm run chaos -- [--short] [--orders N] [--rate N] [--via start-topic|rest|both] [--replicas N]
         [--faults coordinator-kill=N,payments-kill=N,broker-term=N,broker-kill=N,postgres-restart=N | --faults none]
         [--broker-down-s N] [--restart-delay-ms N] [--flaky F] [--step-timeout-ms N] [--seed N] [--max-wait-s N]
         [--partitions N] [--coordinator-env KEY=VALUE]... [--keep] [--no-build] [--json FILE]`;

export class ChaosUsageError extends Error {
  readonly code = 'CHAOS_USAGE';
  readonly retriable = false;
}

const NUMERIC: Record<string, { key: keyof ChaosOptions; min: number; max: number; integer: boolean }> = {
  '--orders': { key: 'orders', min: 1, max: 100_000, integer: true },
  '--rate': { key: 'rate', min: 0.1, max: 1_000, integer: false },
  '--replicas': { key: 'replicas', min: 1, max: 8, integer: true },
  '--broker-down-s': { key: 'brokerDownS', min: 0, max: 600, integer: false },
  '--restart-delay-ms': { key: 'restartDelayMs', min: 0, max: 60_000, integer: true },
  '--flaky': { key: 'flaky', min: 0, max: 0.5, integer: false },
  '--step-timeout-ms': { key: 'stepTimeoutMs', min: 200, max: 600_000, integer: true },
  '--seed': { key: 'seed', min: 0, max: 2 ** 31, integer: true },
  '--max-wait-s': { key: 'maxWaitS', min: 1, max: 86_400, integer: true },
  '--partitions': { key: 'partitions', min: 1, max: 100, integer: true },
};

const VALUE_FLAGS = new Set(['--faults', '--via', '--json', '--coordinator-env', ...Object.keys(NUMERIC)]);

export function parseChaosOptions(argv: string[]): ChaosOptions {
  const options: ChaosOptions = { ...CHAOS_DEFAULTS, faults: { ...CHAOS_DEFAULTS.faults }, coordinatorEnv: {} };
  // --short first, so that explicit options given with it win whatever their order.
  if (argv.includes('--short')) Object.assign(options, SHORT_RUN, { faults: { ...SHORT_FAULTS } });
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = splitFlag(arg);
    if (flag === '--short') continue;
    if (flag === '--keep') {
      options.keep = true;
      continue;
    }
    if (flag === '--no-build') {
      options.noBuild = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) throw new ChaosUsageError(`unknown option ${arg}\n${CHAOS_USAGE}`);
    const text = inline ?? argv[++i];
    if (text === undefined) throw new ChaosUsageError(`${flag} needs a value\n${CHAOS_USAGE}`);
    if (flag === '--faults') options.faults = parseFaults(text);
    else if (flag === '--via') options.via = parseVia(text);
    else if (flag === '--json') options.json = text;
    else if (flag === '--coordinator-env') {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(text);
      if (!m) throw new ChaosUsageError(`--coordinator-env must be KEY=VALUE, got ${text}\n${CHAOS_USAGE}`);
      options.coordinatorEnv[m[1]] = m[2];
    } else {
      const spec = NUMERIC[flag];
      const value = Number(text);
      if (!Number.isFinite(value) || value < spec.min || value > spec.max || (spec.integer && !Number.isInteger(value))) {
        throw new ChaosUsageError(`${flag} must be ${spec.integer ? 'an integer' : 'a number'} between ${spec.min} and ${spec.max}, got ${text}\n${CHAOS_USAGE}`);
      }
      (options[spec.key] as number) = value;
    }
  }
  return options;
}

function splitFlag(arg: string): [string, string | undefined] {
  const i = arg.indexOf('=');
  return i < 0 ? [arg, undefined] : [arg.slice(0, i), arg.slice(i + 1)];
}

function parseVia(text: string): SubmitVia {
  if (text === 'start-topic' || text === 'rest' || text === 'both') return text;
  throw new ChaosUsageError(`--via must be start-topic, rest or both, got ${text}\n${CHAOS_USAGE}`);
}

/** `coordinator-kill=5,broker-term=1` (kinds not named: 0), or `none`. */
export function parseFaults(text: string): Record<FaultKind, number> {
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  if (text === 'none') return faults;
  for (const part of text.split(',')) {
    const m = /^([a-z-]+)=(\d{1,3})$/.exec(part.trim());
    if (!m || !(FAULT_KINDS as readonly string[]).includes(m[1])) {
      throw new ChaosUsageError(`--faults takes KIND=N pairs separated by commas (kinds: ${FAULT_KINDS.join(', ')}) or none, got ${part}\n${CHAOS_USAGE}`);
    }
    faults[m[1] as FaultKind] = Number(m[2]);
  }
  return faults;
}
