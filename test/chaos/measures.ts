// What a chaos run measures besides its invariants (reported, never asserted): how long
// the reply stream stood still, how fast a killed replica was replaced, how many attempts
// timed out.

export interface ReplyGap {
  ms: number;
  /** When the gap began, ms after t0. */
  fromMs: number;
}

/** The longest stretch of [from, to] (epoch ms) without an event at `times` (sorted ascending). */
export function longestGap(times: number[], from: number, to: number): ReplyGap | null {
  if (to <= from) return null;
  let best: ReplyGap = { ms: 0, fromMs: 0 };
  let previous = from;
  for (const t of [...times.filter((x) => x > from && x < to), to]) {
    if (t - previous > best.ms) best = { ms: t - previous, fromMs: previous - from };
    previous = t;
  }
  return best;
}

export interface Spread {
  n: number;
  /** Measurements that never reached their goal within the bound. */
  notReached: number;
  median: number | null;
  max: number | null;
}

/** Median and maximum of the reached values; null stands for "not reached". */
export function spread(values: (number | null | undefined)[]): Spread {
  const reached = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  const notReached = values.length - reached.length;
  if (reached.length === 0) return { n: values.length, notReached, median: null, max: null };
  const mid = Math.floor(reached.length / 2);
  const median = reached.length % 2 === 1 ? reached[mid] : (reached[mid - 1] + reached[mid]) / 2;
  return { n: values.length, notReached, median, max: reached[reached.length - 1] };
}

export interface ChaosMeasures {
  /** From the first order until the last one was accepted (or given up): orders refused during an outage are retried. */
  loadMs: number;
  /** From the first order until no saga was running any more; null if that did not happen within --max-wait-s. */
  settledMs: number | null;
  attemptsTimedOut: number;
  /** Between the first order and the last saga's end. */
  longestReplyGap: ReplyGap | null;
  coordinatorHealth: Spread;
  coordinatorReady: Spread;
  coordinatorRepliesCaughtUp: Spread;
  /** FAILED sagas by the step and reason that wait for an operator. */
  escalations: { step: string; reason: string; n: number }[];
  /** Compensations the barriers answered without a handler: the step had never applied. */
  nullCompensations: number;
  /** At the end, what each consumer group had not consumed yet (a stuck partition shows here); null where the broker did not answer. */
  consumerLag: ConsumerLag[];
}

export interface ConsumerLag {
  group: string;
  topic: string;
  messages: number | null;
  partitions: number[];
}
