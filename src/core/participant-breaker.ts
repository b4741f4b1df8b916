/**
 * The per-participant circuit breaker: when a participant keeps timing out or
 * answering `retry`, new attempts to it are held back instead of being sent into
 * the void and counted against every saga's budget.
 *
 *   closed     attempts flow; consecutive failures (timeouts, retry answers) are counted.
 *   open       the participant's timers are held back (no new attempts, no timeouts);
 *              after `coolDownMs` the breaker lets a probe through.
 *   half-open  one probe is under way; its answer closes the breaker, a failure opens
 *              it again for another cool-down.
 *
 * Any answer that is not a failure (success, or a business failure: the participant
 * works) resets the count and closes a half-open breaker. An operator can open or
 * close it by hand, with a reason; a breaker opened by hand stays open until closed
 * by hand (no automatic probe).
 */
import type { AttemptStatus } from './saga-status';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface Breaker {
  participant: string;
  state: BreakerState;
  /** When the state last changed (epoch ms). */
  since: number;
  reason: string | null;
  /** 'auto' for the failure threshold and probes, else the operator's actor. */
  changedBy: string;
  /** Failures in a row since the last answer that was not one. */
  failures: number;
}

export interface BreakerPolicy {
  /** Failures in a row (over all sagas) that open the breaker. @default 20 */
  failureThreshold: number;
  /** How long an automatically opened breaker holds attempts back before a probe. @default 30_000 */
  coolDownMs: number;
}

export const DEFAULT_BREAKER_POLICY: Readonly<BreakerPolicy> = Object.freeze({ failureThreshold: 20, coolDownMs: 30_000 });

export type BreakerSignal =
  | { type: 'answers'; failures: number; successes: number; at: number }
  | { type: 'probe-sent'; at: number }
  | { type: 'opened-by-operator'; by: string; reason: string; at: number }
  | { type: 'closed-by-operator'; by: string; reason: string; at: number };

/**
 * What an attempt's result says about its participant: a timeout or a `retry` answer
 * is a failure; a success or a business failure shows it works; an abandoned attempt
 * (its step moved on without it) says nothing.
 */
export function breakerAnswer(status: AttemptStatus): 'failure' | 'success' | null {
  switch (status) {
    case 'TIMED_OUT':
    case 'RETRY_REQUESTED':
      return 'failure';
    case 'SUCCEEDED':
    case 'FAILED':
      return 'success';
    case 'SENT':
    case 'ABANDONED':
      return null;
  }
}

export function closedBreaker(participant: string, at: number): Breaker {
  return { participant, state: 'closed', since: at, reason: null, changedBy: 'auto', failures: 0 };
}

export function nextBreaker(b: Breaker, signal: BreakerSignal, policy: BreakerPolicy): Breaker {
  switch (signal.type) {
    case 'opened-by-operator':
      return { ...b, state: 'open', since: signal.at, reason: signal.reason, changedBy: signal.by };
    case 'closed-by-operator':
      return { ...b, state: 'closed', since: signal.at, reason: signal.reason, changedBy: signal.by, failures: 0 };
    case 'probe-sent':
      return b.state === 'open' && b.changedBy === 'auto' ? { ...b, state: 'half-open', since: signal.at, reason: 'probing after the cool-down' } : b;
    case 'answers': {
      if (signal.successes > 0 && b.changedBy !== 'auto' && b.state === 'open') return b; // held open by an operator
      if (signal.successes > 0) {
        // The participant answers: whatever failed before, it works now.
        const failures = signal.failures;
        if (b.state !== 'closed') return { ...b, state: 'closed', since: signal.at, reason: 'the participant answered', changedBy: 'auto', failures };
        return failures === b.failures ? b : { ...b, failures };
      }
      if (signal.failures === 0) return b;
      const failures = b.failures + signal.failures;
      if (b.state === 'half-open') return { ...b, state: 'open', since: signal.at, reason: 'the probe failed', changedBy: 'auto', failures };
      if (b.state === 'closed' && failures >= policy.failureThreshold) {
        return { ...b, state: 'open', since: signal.at, reason: `${failures} timeouts or retry answers in a row`, changedBy: 'auto', failures };
      }
      return { ...b, failures };
    }
  }
}

/** Whether the participant's timers must wait now. `probeAllowed`: an automatic open breaker whose cool-down is over lets one probe through. */
export function breakerHolds(b: Breaker, now: number, policy: BreakerPolicy): { holds: boolean; probeAllowed: boolean } {
  if (b.state === 'closed') return { holds: false, probeAllowed: false };
  // A probe whose answer never came (its saga moved on) does not hold the participant back forever.
  if (b.state === 'half-open') return { holds: true, probeAllowed: now - b.since >= policy.coolDownMs };
  const coolDownOver = b.changedBy === 'auto' && now - b.since >= policy.coolDownMs;
  return { holds: true, probeAllowed: coolDownOver };
}
