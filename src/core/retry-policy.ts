/**
 * Retry policy: how many attempts a step's command (or compensation) gets
 * before the coordinator gives up on automatic retries, and how long it waits
 * between them.
 *
 * Backoff is exponential with *subtractive* jitter:
 *
 *     base  = min(maxBackoffMs, initialBackoffMs * multiplier^(n - 1))
 *     delay = round(base * (1 - jitter * random))        random in [0, 1)
 *
 * where n is the number of attempts that have failed so far. Jitter only ever
 * shortens the wait, so `maxBackoffMs` is a hard cap (additive "±jitter" would
 * overshoot it) while retries of many sagas failing together still spread out.
 * `jitter = 1` is "full jitter", `0.5` "equal jitter".
 */
import { InvalidArgumentError } from './errors';

export interface RetryPolicy {
  /** Attempts (the first one included) before giving up. @default 3 (steps after the pivot: the saga's maxForwardAttempts) */
  maxAttempts: number;
  /** Wait before the second attempt. @default 200 */
  initialBackoffMs: number;
  /** Upper bound of any wait. @default 10_000 */
  maxBackoffMs: number;
  /** Growth factor of the wait per failed attempt, >= 1. @default 2 */
  multiplier: number;
  /** Fraction of the wait that is randomised away, in [0, 1]. @default 0.2 */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  initialBackoffMs: 200,
  maxBackoffMs: 10_000,
  multiplier: 2,
  jitter: 0.2,
});

export type BackoffPolicy = Pick<RetryPolicy, 'initialBackoffMs' | 'maxBackoffMs' | 'multiplier' | 'jitter'>;

/** The un-jittered wait after `failedAttempts` failures (>= 1), already capped at maxBackoffMs. */
export function baseBackoffMs(policy: BackoffPolicy, failedAttempts: number): number {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
    throw new InvalidArgumentError('failedAttempts', `must be an integer >= 1, got ${failedAttempts}`);
  }
  // multiplier^n overflows to Infinity for large n; min() turns that into the cap.
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * Math.pow(policy.multiplier, failedAttempts - 1));
}

/** The wait in whole milliseconds before the next attempt, given `random` in [0, 1). Always within [0, maxBackoffMs]. */
export function backoffDelayMs(policy: BackoffPolicy, failedAttempts: number, random: number): number {
  if (!(random >= 0 && random < 1)) {
    throw new InvalidArgumentError('random', `must be in [0, 1), got ${random}`);
  }
  const base = baseBackoffMs(policy, failedAttempts);
  return Math.max(0, Math.round(base * (1 - policy.jitter * random)));
}

/** Whether another automatic attempt is allowed after `attemptsMade` attempts in the current budget. */
export function hasAttemptsLeft(attemptsMade: number, maxAttempts: number): boolean {
  return attemptsMade < maxAttempts;
}
