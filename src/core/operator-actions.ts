/**
 * Requests from people and initiating services: cancel, deadline, retry,
 * resume, override (internal to `decide`).
 *
 * Each handler first checks whether the state allows the request and returns
 * why not — `ignored` when the request is moot (the saga already finished or is
 * already compensating: a repeated cancel is not an error), `rejected` when the
 * requester must be told no (cancel after the pivot, resume a saga that is not
 * FAILED). Only then does it change the draft.
 */
import { beginCompensation } from './compensation-flow';
import { findStep, stepsOf } from './definition-normalization';
import { ignored, rejected, type NotApplied } from './decision';
import { emit, leaveFailed, sendAttempt, setStepStatus, stepOf, type Draft } from './decision-draft';
import { cloneJson, type StepAction } from '@saga-coordinator/participant/protocol';
import type { NormalizedStep } from './saga-definition';
import type { OverrideRecord } from './saga-state';
import type { CancelRequested, DeadlineReached, ResumeRequested, RetryRequested, StepOverridden } from './saga-events';
import { isTerminalSagaStatus } from './saga-status';
import { pivotStarted } from './timers';

/** null: the handler changed the draft (applied); otherwise why nothing changed. */
export type HandlerVerdict = NotApplied | null;

function alreadyCompensating(d: Draft): boolean {
  return d.state.status === 'COMPENSATING' || (d.state.status === 'FAILED' && d.state.escalation?.from === 'COMPENSATING');
}

export function cancel(d: Draft, event: CancelRequested): HandlerVerdict {
  if (isTerminalSagaStatus(d.state.status)) {
    // What a repeated cancel asks for is already so; undoing a saga that COMPLETED (or that was compensated for another reason) is not possible.
    return d.state.status === 'COMPENSATED' && d.state.compensationReason?.cause === 'cancel-requested'
      ? ignored('ALREADY_CANCELLED', 'the saga was cancelled and is COMPENSATED')
      : rejected('SAGA_FINISHED', `saga is already ${d.state.status}; a finished saga cannot be cancelled`);
  }
  if (alreadyCompensating(d)) return ignored('ALREADY_COMPENSATING', 'saga is already compensating');
  if (pivotStarted(d.state, d.def)) {
    return rejected(
      'SAGA_NOT_CANCELLABLE',
      `saga has started its pivot step '${d.def.pivot ?? ''}' and can only finish forward`,
    );
  }
  beginCompensation(d, { cause: 'cancel-requested', step: null, by: event.by, message: event.reason });
  return null;
}

/** A cancel with reason 'deadline'; being a timer, it is ignored (never rejected) when moot. */
export function deadline(d: Draft, _event: DeadlineReached): HandlerVerdict {
  if (isTerminalSagaStatus(d.state.status)) return ignored('SAGA_FINISHED', `saga is already ${d.state.status}`);
  if (d.state.deadlineAt === null) return ignored('NO_DEADLINE', 'saga has no deadline');
  if (alreadyCompensating(d)) return ignored('ALREADY_COMPENSATING', 'saga is already compensating');
  if (pivotStarted(d.state, d.def)) return ignored('PAST_PIVOT', 'saga has started its pivot step; the deadline no longer applies');
  beginCompensation(d, { cause: 'deadline-reached', step: null, by: null, message: 'deadline' });
  return null;
}

/** The action a step would retry, if it may be retried now. */
function retryableAction(d: Draft, step: NormalizedStep): StepAction | null {
  const st = stepOf(d, step);
  switch (st.status) {
    case 'RETRY_WAIT':
      return 'execute';
    case 'FAILED':
      return st.needsAttention !== null ? 'execute' : null;
    case 'COMPENSATION_RETRY_WAIT':
    case 'COMPENSATION_FAILED':
      return 'compensate';
    default:
      return null;
  }
}

export function retry(d: Draft, event: RetryRequested): HandlerVerdict {
  if (isTerminalSagaStatus(d.state.status)) return rejected('SAGA_FINISHED', `saga is already ${d.state.status}`);
  let targets: NormalizedStep[];
  if (event.step !== undefined) {
    const step = findStep(d.def, event.step);
    if (!step) return rejected('UNKNOWN_STEP', `saga has no step '${event.step}'`);
    if (retryableAction(d, step) === null) {
      return rejected(
        'STEP_NOT_RETRYABLE',
        `step '${step.name}' is ${stepOf(d, step).status}; only a step waiting for a backoff or for an operator can be retried`,
      );
    }
    targets = [step];
  } else {
    targets = stepsOf(d.def).filter((step) => retryableAction(d, step) !== null);
    if (targets.length === 0) return rejected('NOTHING_TO_RETRY', 'no step is waiting for a backoff or for an operator');
  }
  restart(d, targets, event.by, event.reason);
  return null;
}

export function resume(d: Draft, event: ResumeRequested): HandlerVerdict {
  if (d.state.status !== 'FAILED') return rejected('SAGA_NOT_FAILED', `saga is ${d.state.status}; only a FAILED saga can be resumed`);
  const targets = stepsOf(d.def).filter((step) => stepOf(d, step).needsAttention !== null);
  restart(d, targets, event.by, event.reason);
  return null;
}

/** Re-sends each target now with a fresh attempt number and a fresh attempt budget. */
function restart(d: Draft, targets: NormalizedStep[], by: string, reason: string | undefined): void {
  leaveFailed(d);
  for (const step of targets) {
    const action = retryableAction(d, step);
    if (action === null) continue;
    const st = stepOf(d, step);
    if (action === 'execute') st.attemptsSinceReset = 0;
    else st.compensationAttemptsSinceReset = 0;
    st.needsAttention = null;
    const nextAttempt = (action === 'execute' ? st.attempt : st.compensationAttempt) + 1;
    emit(d, 'step.retrying', step.name, { action, nextAttempt, requestedBy: by, reason: reason ?? null });
    sendAttempt(d, step, action);
  }
}

export function override(d: Draft, event: StepOverridden): HandlerVerdict {
  if (typeof event.reason !== 'string' || event.reason.trim() === '') {
    return rejected('REASON_REQUIRED', 'overriding a step requires a reason');
  }
  if (isTerminalSagaStatus(d.state.status)) return rejected('SAGA_FINISHED', `saga is already ${d.state.status}`);
  const step = findStep(d.def, event.step);
  if (!step) return rejected('UNKNOWN_STEP', `saga has no step '${event.step}'`);
  const st = stepOf(d, step);
  const record: OverrideRecord = { as: event.as, by: event.by, reason: event.reason, at: d.now };
  const notOverridable = rejected(
    'STEP_NOT_OVERRIDABLE',
    `step '${step.name}' is ${st.status}; it cannot be marked ${event.as} now`,
  );

  if (event.as === 'succeeded') {
    const forwardStuck = st.status === 'FAILED' && st.needsAttention !== null;
    const backingOff = st.status === 'RETRY_WAIT' && d.state.status === 'RUNNING';
    if (!forwardStuck && !backingOff) return notOverridable;
    leaveFailed(d);
    setStepStatus(d, step, 'SUCCEEDED');
    st.output = cloneJson(event.output ?? null);
    st.succeededAt = d.now;
    st.dueAt = null;
    st.needsAttention = null;
    st.override = record;
    d.state.completionOrder.push(step.name);
    emit(d, 'step.succeeded', step.name, { attempt: st.attempt, output: cloneJson(st.output), overriddenBy: event.by, reason: event.reason });
    return null;
  }

  if (st.status === 'COMPENSATION_FAILED' || st.status === 'COMPENSATION_RETRY_WAIT') {
    leaveFailed(d);
    markCompensated(d, step, record);
    return null;
  }
  // A pivot whose outcome is unknown: the operator established it did not apply (or undid it by hand).
  if (st.status === 'FAILED' && st.needsAttention !== null && step.phase === 'pivot') {
    markCompensated(d, step, record);
    beginCompensation(d, { cause: 'step-overridden', step: step.name, by: event.by, message: event.reason });
    return null;
  }
  return notOverridable;
}

function markCompensated(d: Draft, step: NormalizedStep, record: OverrideRecord): void {
  const st = stepOf(d, step);
  setStepStatus(d, step, 'COMPENSATED');
  st.compensatedAt = d.now;
  st.dueAt = null;
  st.needsAttention = null;
  st.override = record;
  emit(d, 'step.compensated', step.name, { attempt: st.compensationAttempt, overriddenBy: record.by, reason: record.reason });
}
