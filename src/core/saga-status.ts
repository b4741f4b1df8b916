/**
 * Statuses of a saga instance and of its steps, and the only transitions
 * between them (cf. kafkajs' transactionStateMachine).
 *
 * Saga statuses:
 *   QUEUED        accepted, waiting for the saga before it with the same
 *                 concurrency key to end (concurrency.ts); nothing sent yet.
 *                 SagaStarted admits it (RUNNING); a cancel ends it
 *                 (COMPENSATING, then at once COMPENSATED: nothing to undo).
 *   RUNNING       executing steps forward.
 *   COMPENSATING  undoing completed steps in reverse order (after a business
 *                 failure, exhausted retries, a cancel or the deadline).
 *   COMPLETED     every step succeeded.                         (terminal)
 *   COMPENSATED   everything that was done has been undone.     (terminal)
 *   FAILED        needs an operator: a compensation, a step after the pivot or
 *                 a pivot with unknown outcome ran out of automatic attempts.
 *                 Nothing is in flight. Visible, and not terminal: RetryRequested,
 *                 ResumeRequested or StepOverridden move it back to the status
 *                 it escalated from.
 *
 * Step statuses:
 *   PENDING                  not started yet.
 *   RUNNING                  a command was sent; awaiting its reply or timeout.
 *   RETRY_WAIT               an attempt failed retryably; waiting out the backoff.
 *   SUCCEEDED                the command succeeded (or an operator said so).
 *   FAILED                   gave up forward: business failure, exhausted
 *                            attempts, or abandoned because the saga began to
 *                            compensate. Awaits an operator if it carries
 *                            `needsAttention`.
 *   COMPENSATING             a compensation command was sent; awaiting reply.
 *   COMPENSATION_RETRY_WAIT  a compensation attempt failed; waiting out the backoff.
 *   COMPENSATION_FAILED      compensation ran out of attempts; awaits an operator.
 *   COMPENSATED              undone (or an operator said so).      (terminal)
 *   SKIPPED                  never started, and never will be.     (terminal)
 *
 * Every status change goes through `assertSagaTransition` /
 * `assertStepTransition`. An illegal change throws IllegalTransitionError; it
 * is never "fixed up", because a wrong status means a bug that would otherwise
 * surface much later as a lost or doubled step.
 */
import { IllegalTransitionError } from './errors';

export const SAGA_STATUSES = ['QUEUED', 'RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED'] as const;
export type SagaStatus = (typeof SAGA_STATUSES)[number];

export const SAGA_TRANSITIONS: Readonly<Record<SagaStatus, readonly SagaStatus[]>> = Object.freeze({
  QUEUED: ['RUNNING', 'COMPENSATING'],
  RUNNING: ['COMPENSATING', 'COMPLETED', 'FAILED'],
  COMPENSATING: ['COMPENSATED', 'FAILED'],
  FAILED: ['RUNNING', 'COMPENSATING'],
  COMPLETED: [],
  COMPENSATED: [],
});

export const STEP_STATUSES = [
  'PENDING',
  'RUNNING',
  'RETRY_WAIT',
  'SUCCEEDED',
  'FAILED',
  'COMPENSATING',
  'COMPENSATION_RETRY_WAIT',
  'COMPENSATION_FAILED',
  'COMPENSATED',
  'SKIPPED',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const STEP_TRANSITIONS: Readonly<Record<StepStatus, readonly StepStatus[]>> = Object.freeze({
  PENDING: ['RUNNING', 'SKIPPED'],
  RUNNING: ['SUCCEEDED', 'RETRY_WAIT', 'FAILED'],
  // -> FAILED: the saga started compensating during the backoff; -> SUCCEEDED: operator override.
  RETRY_WAIT: ['RUNNING', 'FAILED', 'SUCCEEDED'],
  SUCCEEDED: ['COMPENSATING'],
  // -> RUNNING: operator retry; -> SUCCEEDED / COMPENSATED: operator override;
  // -> COMPENSATING: the step may have applied (an attempt timed out), so it is undone.
  FAILED: ['RUNNING', 'SUCCEEDED', 'COMPENSATING', 'COMPENSATED'],
  COMPENSATING: ['COMPENSATED', 'COMPENSATION_RETRY_WAIT', 'COMPENSATION_FAILED'],
  // -> COMPENSATED: operator override.
  COMPENSATION_RETRY_WAIT: ['COMPENSATING', 'COMPENSATED'],
  // -> COMPENSATING: operator retry or resume; -> COMPENSATED: operator override.
  COMPENSATION_FAILED: ['COMPENSATING', 'COMPENSATED'],
  COMPENSATED: [],
  SKIPPED: [],
});

/**
 * How one attempt (one command) ended, as its attempt row records it:
 *   SENT             no answer yet.
 *   SUCCEEDED        the participant answered success.
 *   FAILED           it answered failure (a business failure of an execute; for a
 *                    compensation, a refusal that is retried).
 *   RETRY_REQUESTED  it answered retry.
 *   TIMED_OUT        no answer by the attempt's deadline.
 *   ABANDONED        no answer needed any more: a reply to another attempt of the
 *                    same action settled the step.
 */
export const ATTEMPT_STATUSES = ['SENT', 'SUCCEEDED', 'FAILED', 'RETRY_REQUESTED', 'TIMED_OUT', 'ABANDONED'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** COMPLETED and COMPENSATED: nothing will ever happen to the instance again. */
export function isTerminalSagaStatus(status: SagaStatus): boolean {
  return status === 'COMPLETED' || status === 'COMPENSATED';
}

/**
 * Statuses a saga does not leave by itself: it ended (COMPLETED, COMPENSATED), or it waits
 * for an operator (FAILED). What an initiator waiting for a result is answered with.
 */
export function isSettledSagaStatus(status: string): boolean {
  return status === 'COMPLETED' || status === 'COMPENSATED' || status === 'FAILED';
}

/** Whether moving from `before` to `after` settles the saga now (waiters for its result are woken). */
export function settlesSaga(before: string, after: string): boolean {
  return before !== after && isSettledSagaStatus(after);
}

export function canTransitionSaga(from: SagaStatus, to: SagaStatus): boolean {
  return SAGA_TRANSITIONS[from].includes(to);
}

export function canTransitionStep(from: StepStatus, to: StepStatus): boolean {
  return STEP_TRANSITIONS[from].includes(to);
}

/** Throws IllegalTransitionError unless the saga table allows `from -> to`. */
export function assertSagaTransition(from: SagaStatus, to: SagaStatus, sagaId: string): void {
  if (!isKnown(SAGA_TRANSITIONS, from) || !canTransitionSaga(from, to)) {
    throw new IllegalTransitionError('saga', from, to, { sagaId });
  }
}

/** Throws IllegalTransitionError unless the step table allows `from -> to`. */
export function assertStepTransition(from: StepStatus, to: StepStatus, sagaId: string, step: string): void {
  if (!isKnown(STEP_TRANSITIONS, from) || !canTransitionStep(from, to)) {
    throw new IllegalTransitionError('step', from, to, { sagaId, step });
  }
}

// A status read back from storage may be anything; an unknown one must throw, not crash on undefined.
function isKnown(table: object, status: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, status);
}
