/**
 * The result of `decide`: the next state and its effects — or, for an event
 * that changes nothing, why not.
 *
 *   ignored   the event is stale, a duplicate, or asks for what is already so
 *             (a retry answer for an older attempt, a timer for an attempt that
 *             already replied, a cancel of a saga already compensating or
 *             compensated because of a cancel). Expected in an at-least-once
 *             world; the adapter records the reason in the history and moves
 *             on, and the API answers "no-op".
 *   rejected  an operator or initiator asked for something this state does not
 *             allow (cancel a COMPLETED saga or one past its pivot, resume a
 *             saga that is not FAILED). The API answers 409 with the code.
 *
 * In both cases `state` is the very object passed in and `effects` is empty.
 *
 * One word for the result of deciding an event, everywhere: the *verdict*
 * (applied, ignored, rejected). The engine adds verdicts of its own for events
 * that never reach `decide` (duplicate, unknown-saga, quarantined); history
 * rows and API answers carry the same kinds and codes.
 */
import type { SagaEffect } from './saga-effects';
import type { SagaState } from './saga-state';

export type IgnoredCode =
  | 'ALREADY_STARTED'
  | 'SAGA_FINISHED'
  | 'ALREADY_CANCELLED'
  | 'UNKNOWN_STEP'
  | 'STALE_ATTEMPT'
  | 'UNKNOWN_ATTEMPT'
  | 'NOT_AWAITING_REPLY'
  | 'NOT_IN_BACKOFF'
  | 'NO_DEADLINE'
  | 'ALREADY_COMPENSATING'
  | 'PAST_PIVOT'
  /** The saga waits for its concurrency key; it has sent nothing, so nothing can answer it yet. */
  | 'SAGA_QUEUED';

export type RejectionCode =
  | 'SAGA_FINISHED'
  | 'SAGA_NOT_CANCELLABLE'
  | 'SAGA_NOT_FAILED'
  | 'UNKNOWN_STEP'
  | 'STEP_NOT_RETRYABLE'
  | 'NOTHING_TO_RETRY'
  | 'STEP_NOT_OVERRIDABLE'
  | 'REASON_REQUIRED'
  /** Retry, resume or override of a saga that is QUEUED: it has no step to act on (cancel it instead). */
  | 'SAGA_QUEUED';

export interface AppliedVerdict {
  kind: 'applied';
}

export interface IgnoredVerdict {
  kind: 'ignored';
  code: IgnoredCode;
  reason: string;
}

export interface RejectedVerdict {
  kind: 'rejected';
  code: RejectionCode;
  reason: string;
}

export type Verdict = AppliedVerdict | IgnoredVerdict | RejectedVerdict;
/** What a handler returns when the event changes nothing. */
export type NotApplied = IgnoredVerdict | RejectedVerdict;

export const APPLIED: AppliedVerdict = Object.freeze({ kind: 'applied' });

export interface Decision {
  /** The next state; for ignored and rejected verdicts the very object passed in. */
  state: SagaState;
  /** Empty unless applied. */
  effects: SagaEffect[];
  verdict: Verdict;
}

export function ignored(code: IgnoredCode, reason: string): IgnoredVerdict {
  return { kind: 'ignored', code, reason };
}

export function rejected(code: RejectionCode, reason: string): RejectedVerdict {
  return { kind: 'rejected', code, reason };
}
