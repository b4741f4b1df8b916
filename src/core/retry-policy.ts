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
 *
 * Giving up needs BOTH a spent count and a spent time: `maxAttempts` attempts
 * have failed AND `minRetryWindowMs` has passed since the first attempt of the
 * budget. An outage (a broker restart, a participant redeploy) makes attempts
 * fail fast and in bursts; counting alone would turn a one-minute outage into
 * compensations or operator work, which is what a saga coordinator exists to
 * prevent. The defaults keep retrying for ten minutes, backing off to two.
 */
import { InvalidArgumentError } from './errors';

export interface RetryPolicy {
  /** Attempts (the first one included) before giving up, if minRetryWindowMs has passed too. @default 10 (steps after the pivot: the saga's maxForwardAttempts) */
  maxAttempts: number;
  /** Wait before the second attempt. @default 1_000 */
  initialBackoffMs: number;
  /** Upper bound of any wait. @default 120_000 */
  maxBackoffMs: number;
  /** Growth factor of the wait per failed attempt, >= 1. @default 2 */
  multiplier: number;
  /** Fraction of the wait that is randomised away, in [0, 1]. @default 0.2 */
  jitter: number;
  /** Attempts continue at least this long after the first attempt of the budget, whatever the count. 0 = count only. @default 600_000 */
  minRetryWindowMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 10,
  initialBackoffMs: 1_000,
  maxBackoffMs: 120_000,
  multiplier: 2,
  jitter: 0.2,
  minRetryWindowMs: 600_000,
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

/** What a budget of attempts is bounded by: a count and a minimum time. */
export interface AttemptBudget {
  maxAttempts: number;
  minRetryWindowMs: number;
}

/**
 * Whether another automatic attempt is allowed after `attemptsMade` attempts of the
 * current budget, the first of which was sent at `budgetStartedAt`.
 */
export function hasAttemptsLeft(budget: AttemptBudget, attemptsMade: number, budgetStartedAt: number | null, now: number): boolean {
  if (attemptsMade < budget.maxAttempts) return true;
  return budgetStartedAt !== null && now - budgetStartedAt < budget.minRetryWindowMs;
}
