/**
 * Backward recovery: undoing what a saga did (internal to `decide`).
 *
 * Rules, and why:
 * - Compensation starts only when no forward attempt is in flight: a step
 *   whose command is still out may yet succeed and then needs undoing too.
 *   Backing-off steps are abandoned at once (no new forward attempts).
 * - A step is compensated if it has a compensation command and it succeeded
 *   or may have applied (an attempt timed out). A step that failed with a
 *   business failure or only retryable replies did nothing and is left alone;
 *   for "may have applied", the participant's barrier makes the compensation
 *   of a never-applied action a no-op, so sending it is safe and necessary.
 * - Order: stages in reverse (the reverse of completion order, since stages
 *   complete one after another); the members of one parallel group are
 *   compensated concurrently, and the next stage back starts only when the
 *   whole group is undone.
 * - A compensation is retried with the step's backoff. A `failure` reply
 *   counts as retryable too: compensations must eventually succeed, so a
 *   refusal is treated as "not yet". After maxCompensationAttempts the step
 *   needs an operator and, once its stage has settled, the saga is FAILED.
 */
import { stepsOf } from './definition-normalization';
import { emit, errorData, escalate, leaveFailed, recordError, sendAttempt, setSagaStatus, setStepStatus, stepOf, type Draft } from './decision-draft';
import { backoffDelayMs, hasAttemptsLeft } from './retry-policy';
import type { NormalizedStep } from './saga-definition';
import type { StepReplied } from './saga-events';
import type { CompensationReason } from './saga-state';

/** RUNNING (or FAILED, after an operator decision) -> COMPENSATING. */
export function beginCompensation(d: Draft, reason: Omit<CompensationReason, 'at'>): void {
  setSagaStatus(d, 'COMPENSATING');
  d.state.compensationReason = { ...reason, at: d.now };
  d.state.escalation = null;
  emit(d, 'saga.compensating', undefined, { cause: reason.cause, step: reason.step, by: reason.by, message: reason.message });
  for (const step of stepsOf(d.def)) {
    const st = stepOf(d, step);
    if (st.status === 'PENDING') {
      setStepStatus(d, step, 'SKIPPED');
    } else if (st.status === 'RETRY_WAIT') {
      setStepStatus(d, step, 'FAILED');
      st.dueAt = null;
      emit(d, 'step.failed', step.name, { action: 'execute', attempt: st.attempt, abandoned: true, mayHaveApplied: st.mayHaveApplied, error: errorData(st.lastError) });
    }
  }
}

function needsCompensation(d: Draft, step: NormalizedStep): boolean {
  const st = stepOf(d, step);
  return step.compensation !== null && (st.status === 'SUCCEEDED' || (st.status === 'FAILED' && st.mayHaveApplied));
}

function compensationOpen(d: Draft, step: NormalizedStep): boolean {
  const status = stepOf(d, step).status;
  return (
    status === 'COMPENSATING' ||
    status === 'COMPENSATION_RETRY_WAIT' ||
    status === 'COMPENSATION_FAILED' ||
    needsCompensation(d, step)
  );
}

/** Starts the next stage of compensations, finishes the saga, or escalates — whichever the state calls for. */
export function advanceCompensation(d: Draft): void {
  const steps = stepsOf(d.def);
  if (steps.some((step) => stepOf(d, step).status === 'RUNNING')) return;
  const open = steps.filter((step) => compensationOpen(d, step));
  if (open.length === 0) {
    setSagaStatus(d, 'COMPENSATED');
    d.state.finishedAt = d.now;
    emit(d, 'saga.compensated');
    return;
  }
  const stage = Math.max(...open.map((step) => step.stage));
  const members = open.filter((step) => step.stage === stage);
  const statuses = members.map((step) => stepOf(d, step).status);
  if (statuses.some((s) => s === 'COMPENSATING' || s === 'COMPENSATION_RETRY_WAIT')) return;
  if (statuses.some((s) => s === 'COMPENSATION_FAILED')) {
    escalate(d, 'COMPENSATING');
    return;
  }
  for (const step of members) sendAttempt(d, step, 'compensate');
}

export function onCompensationReply(d: Draft, step: NormalizedStep, event: StepReplied): void {
  const st = stepOf(d, step);
  if (event.outcome === 'success') {
    setStepStatus(d, step, 'COMPENSATED');
    st.compensatedAt = d.now;
    st.dueAt = null;
    emit(d, 'step.compensated', step.name, { attempt: event.attempt });
    return;
  }
  recordError(d, step, 'compensate', event.attempt, event.error?.code ?? null, event.error?.message ?? `compensation ${event.outcome}`);
  retryCompensationOrGiveUp(d, step);
}

/**
 * A success for a compensation attempt the step no longer waits for (an older attempt,
 * during a backoff, or after the compensation escalated): the step is undone. Returns
 * false when it changes nothing.
 */
export function onLateCompensationReply(d: Draft, step: NormalizedStep, event: StepReplied): boolean {
  if (event.outcome !== 'success') return false;
  const st = stepOf(d, step);
  switch (st.status) {
    case 'COMPENSATING':
    case 'COMPENSATION_RETRY_WAIT':
      onCompensationReply(d, step, event);
      return true;
    case 'COMPENSATION_FAILED':
      leaveFailed(d);
      setStepStatus(d, step, 'COMPENSATED');
      st.compensatedAt = d.now;
      st.dueAt = null;
      st.needsAttention = null;
      emit(d, 'step.compensated', step.name, { attempt: event.attempt, late: true });
      return true;
    default:
      return false;
  }
}

export function onCompensationTimeout(d: Draft, step: NormalizedStep, attempt: number): void {
  recordError(d, step, 'compensate', attempt, 'ATTEMPT_TIMED_OUT', `no reply within ${step.timeoutMs} ms`);
  retryCompensationOrGiveUp(d, step);
}

function retryCompensationOrGiveUp(d: Draft, step: NormalizedStep): void {
  const st = stepOf(d, step);
  const budget = { maxAttempts: d.def.maxCompensationAttempts, minRetryWindowMs: d.def.minCompensationWindowMs };
  if (hasAttemptsLeft(budget, st.compensationAttemptsSinceReset, st.compensationBudgetStartedAt, d.now)) {
    const delayMs = backoffDelayMs(step.retry, st.compensationAttemptsSinceReset, d.random());
    setStepStatus(d, step, 'COMPENSATION_RETRY_WAIT');
    st.dueAt = d.now + delayMs;
    emit(d, 'step.retrying', step.name, {
      action: 'compensate',
      attempt: st.compensationAttempt,
      nextAttempt: st.compensationAttempt + 1,
      delayMs,
      error: errorData(st.lastError),
    });
    return;
  }
  setStepStatus(d, step, 'COMPENSATION_FAILED');
  st.dueAt = null;
  st.needsAttention = {
    reason: 'COMPENSATION_ATTEMPTS_EXHAUSTED',
    message: `compensation failed ${st.compensationAttemptsSinceReset} times; last error: ${st.lastError?.message ?? 'none'}`,
    at: d.now,
  };
  emit(d, 'step.failed', step.name, { action: 'compensate', attempt: st.compensationAttempt, exhausted: true, error: errorData(st.lastError) });
}
