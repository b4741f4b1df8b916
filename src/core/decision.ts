/**
 * The result of `decide`: the next state and its effects — or, for an event
 * that changes nothing, why not.
 *
 *   ignored   the event is stale or a duplicate (a reply for an older attempt,
 *             a timer for an attempt that already replied, a cancel on a
 *             finished saga...). Expected in an at-least-once world; the
 *             adapter records the reason in the history and moves on.
 *   rejected  an operator or initiator asked for something this state does not
 *             allow (cancel after the pivot, resume a saga that is not FAILED).
 *             The API answers 409 with the code.
 *
 * In both cases `state` is the very object passed in and `effects` is empty.
 */
import type { SagaEffect } from './saga-effects';
import type { SagaState } from './saga-state';

export type IgnoredCode =
  | 'ALREADY_STARTED'
  | 'SAGA_FINISHED'
  | 'UNKNOWN_STEP'
  | 'STALE_ATTEMPT'
  | 'UNKNOWN_ATTEMPT'
  | 'NOT_AWAITING_REPLY'
  | 'NOT_IN_BACKOFF'
  | 'NO_DEADLINE'
  | 'ALREADY_COMPENSATING'
  | 'PAST_PIVOT';

export interface IgnoredEvent {
  code: IgnoredCode;
  reason: string;
}

export type RejectionCode =
  | 'SAGA_FINISHED'
  | 'SAGA_NOT_CANCELLABLE'
  | 'SAGA_NOT_FAILED'
  | 'UNKNOWN_STEP'
  | 'STEP_NOT_RETRYABLE'
  | 'NOTHING_TO_RETRY'
  | 'STEP_NOT_OVERRIDABLE'
  | 'REASON_REQUIRED';

export interface Rejection {
  code: RejectionCode;
  message: string;
}

export interface AppliedDecision {
  state: SagaState;
  effects: SagaEffect[];
  ignored?: undefined;
  rejected?: undefined;
}

export interface IgnoredDecision {
  state: SagaState;
  effects: [];
  ignored: IgnoredEvent;
  rejected?: undefined;
}

export interface RejectedDecision {
  state: SagaState;
  effects: [];
  ignored?: undefined;
  rejected: Rejection;
}

export type Decision = AppliedDecision | IgnoredDecision | RejectedDecision;
