/**
 * Events: everything that can happen to a saga instance, as data. `decide`
 * takes one event at a time.
 *
 * Sources: the API or start topic (SagaStarted after createSagaState,
 * CancelRequested), participants (StepReplied, built from a ReplyMessage),
 * the timer service (AttemptTimedOut, BackoffElapsed, DeadlineReached, see
 * timers.ts), and operators (RetryRequested, ResumeRequested, StepOverridden).
 * Events may arrive late, twice or for something that no longer waits;
 * `decide` ignores those explicitly rather than failing.
 */
import type { JsonValue, ReplyError, ReplyMessage, ReplyOutcome, StepAction } from '@saga-coordinator/participant/protocol';

export interface SagaStarted {
  type: 'SagaStarted';
}

export interface StepReplied {
  type: 'StepReplied';
  step: string;
  action: StepAction;
  attempt: number;
  /** success; failure = business failure (the saga compensates); retry = retryable failure. */
  outcome: ReplyOutcome;
  output?: JsonValue;
  error?: ReplyError;
}

/** The attempt's deadline passed without a reply. Counts as a retryable failure, and the step may have applied. */
export interface AttemptTimedOut {
  type: 'AttemptTimedOut';
  step: string;
  action: StepAction;
  attempt: number;
}

/** The backoff before `attempt` is over: send it. */
export interface BackoffElapsed {
  type: 'BackoffElapsed';
  step: string;
  action: StepAction;
  /** The attempt the backoff precedes (the failed attempt + 1). */
  attempt: number;
}

/** The saga-level deadline passed: behaves like a cancel with reason 'deadline'. */
export interface DeadlineReached {
  type: 'DeadlineReached';
}

export interface CancelRequested {
  type: 'CancelRequested';
  reason: string;
  by: string;
}

/** Operator: send the stuck or backing-off step (or all of them) again now, with a fresh attempt budget. */
export interface RetryRequested {
  type: 'RetryRequested';
  step?: string;
  by: string;
  reason?: string;
}

/** Operator: continue a FAILED saga, re-attempting every step that waits for an operator with a fresh budget. */
export interface ResumeRequested {
  type: 'ResumeRequested';
  by: string;
  reason?: string;
}

/** Operator: declare a stuck step done by hand — succeeded (forward) or compensated (undone). */
export type StepOverridden =
  | { type: 'StepOverridden'; step: string; as: 'succeeded'; output?: JsonValue; by: string; reason: string }
  | { type: 'StepOverridden'; step: string; as: 'compensated'; by: string; reason: string };

export type SagaEvent =
  | SagaStarted
  | StepReplied
  | AttemptTimedOut
  | BackoffElapsed
  | DeadlineReached
  | CancelRequested
  | RetryRequested
  | ResumeRequested
  | StepOverridden;

export type SagaEventType = SagaEvent['type'];

export type OperatorEvent = CancelRequested | RetryRequested | ResumeRequested | StepOverridden;

/** The event for a participant's reply message. */
export function replyEvent(reply: ReplyMessage): StepReplied {
  const event: StepReplied = {
    type: 'StepReplied',
    step: reply.step,
    action: reply.action,
    attempt: reply.attempt,
    outcome: reply.outcome,
  };
  if (reply.output !== undefined) event.output = reply.output;
  if (reply.error !== undefined) event.error = reply.error;
  return event;
}
