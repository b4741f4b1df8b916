// Command-line options of `npm run demo`, with their defaults.
export interface DemoOptions {
  /** Orders to submit. @default 300 */
  orders: number;
  /** Orders submitted per second. @default 15 */
  rate: number;
  /** Fraction of inventory and shipping commands that time out (slow or stalled). @default 0.02 */
  flaky: number;
  /** Attempt timeout of every step, in ms. @default 3000 */
  stepTimeoutMs: number;
  /** Seed of the order generator. @default 42 */
  seed: number;
  /** Give up waiting for sagas to end after this many seconds. @default 300 */
  maxWaitS: number;
  /** Keep the demo's databases and topics instead of dropping them at the end. @default false */
  keep: boolean;
  /**
   * After the summary, keep the coordinator and the participants running (with an admin API
   * key, printed with the dashboard's address) and a trickle of new orders, until Ctrl-C.
   * @default false
   */
  keepRunning: boolean;
  /** Kafka partitions of the demo's topics: a stalled command holds up the rest of its partition, so more partitions spread that. @default 12 */
  partitions: number;
}

export const DEMO_DEFAULTS: DemoOptions = { orders: 300, rate: 15, flaky: 0.02, stepTimeoutMs: 3_000, seed: 42, maxWaitS: 300, keep: false, keepRunning: false, partitions: 12 };

export const DEMO_USAGE = `usage: npm run demo -- [--orders N] [--rate N] [--flaky F] [--step-timeout-ms N] [--seed N] [--max-wait-s N] [--partitions N] [--keep] [--keep-running]`;

export class DemoUsageError extends Error {
  readonly code = 'DEMO_USAGE';
  readonly retriable = false;
}

const NUMERIC: Record<string, { key: keyof DemoOptions; min: number; max: number; integer: boolean }> = {
  '--orders': { key: 'orders', min: 1, max: 100_000, integer: true },
  '--rate': { key: 'rate', min: 1, max: 10_000, integer: false },
  '--flaky': { key: 'flaky', min: 0, max: 1, integer: false },
  '--step-timeout-ms': { key: 'stepTimeoutMs', min: 200, max: 600_000, integer: true },
  '--seed': { key: 'seed', min: 0, max: 2 ** 31, integer: true },
  '--max-wait-s': { key: 'maxWaitS', min: 1, max: 86_400, integer: true },
  '--partitions': { key: 'partitions', min: 1, max: 100, integer: true },
};

export function parseDemoOptions(argv: string[]): DemoOptions {
  const options: DemoOptions = { ...DEMO_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--keep') {
      options.keep = true;
      continue;
    }
    if (flag === '--keep-running') {
      options.keepRunning = true;
      continue;
    }
    const spec = NUMERIC[flag];
    if (!spec) throw new DemoUsageError(`unknown option ${argv[i]}\n${DEMO_USAGE}`);
    const text = inline ?? argv[++i];
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value) || value < spec.min || value > spec.max || (spec.integer && !Number.isInteger(value))) {
      throw new DemoUsageError(`${flag} must be ${spec.integer ? 'an integer' : 'a number'} between ${spec.min} and ${spec.max}, got ${text}\n${DEMO_USAGE}`);
    }
    (options[spec.key] as number) = value;
  }
  return options;
}
