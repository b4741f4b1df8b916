/**
 * Forward progress: running the stages of a saga in order (internal to
 * `decide`).
 *
 * A stage starts when the previous one has fully succeeded; all members of a
 * parallel group start together and the group succeeds when each member has.
 * Each step retries retryable failures (and timeouts) with backoff up to its
 * retry.maxAttempts. When a step finally fails, what happens depends on where
 * it sits relative to the pivot:
 *   compensatable  the saga compensates.
 *   pivot          the saga compensates the steps before it — unless the pivot
 *                  may have applied and has no compensation: then going either
 *                  way would be a guess, and it waits for an operator.
 *   retriable      it cannot be compensated (the pivot committed the saga), so
 *                  it waits for an operator; once its stage has settled the
 *                  saga is FAILED (visible, never looping silently).
 */
import { beginCompensation } from './compensation-flow';
import { emit, errorData, escalate, leaveFailed, recordError, sendAttempt, setSagaStatus, setStepStatus, stepOf, succeededOutputs, type Draft } from './decision-draft';
import { resolveStepInput } from './input-mapping';
import { evaluateCondition } from './step-condition';
import { cloneJson } from '@saga-coordinator/participant/protocol';
import { backoffDelayMs, hasAttemptsLeft } from './retry-policy';
import type { NormalizedStep } from './saga-definition';
import type { StepReplied } from './saga-events';
import type { AttentionRecord } from './saga-state';

/**
 * Starts the next stage, completes the saga, or escalates — whichever the state calls for.
 * A step whose `when` does not hold when its stage is reached is SKIPPED there and then
 * (conditions see exactly what the step's input would); a skipped step counts as done.
 */
export function advanceForward(d: Draft): void {
  for (const stage of d.def.stages) {
    const pending = stage.steps.filter((step) => stepOf(d, step).status === 'PENDING');
    const runs = pending.filter((step) => step.when === null || evaluateCondition(step.when, d.state.input, succeededOutputs(d.state)));
    for (const step of pending) if (!runs.includes(step)) skipStep(d, step);
    if (runs.length > 0) {
      for (const step of runs) sendAttempt(d, step, 'execute');
      return;
    }
    // Only a step with a condition can be SKIPPED while the saga runs forward; any other SKIPPED step is corrupt state.
    if (stage.steps.every((step) => isDone(stepOf(d, step).status, step))) continue;
    const statuses = stage.steps.map((step) => stepOf(d, step).status);
    if (statuses.some((s) => s === 'RUNNING' || s === 'RETRY_WAIT')) return;
    escalate(d, 'RUNNING');
    return;
  }
  setSagaStatus(d, 'COMPLETED');
  d.state.finishedAt = d.now;
  d.state.output = d.def.output === null ? null : resolveStepInput(d.def.output, d.state.input, succeededOutputs(d.state));
  emit(d, 'saga.completed', undefined, { output: cloneJson(d.state.output) });
}

function isDone(status: string, step: NormalizedStep): boolean {
  return status === 'SUCCEEDED' || (status === 'SKIPPED' && step.when !== null);
}

function skipStep(d: Draft, step: NormalizedStep): void {
  setStepStatus(d, step, 'SKIPPED');
  emit(d, 'step.skipped', step.name, { cause: 'condition' });
}

export function onExecuteReply(d: Draft, step: NormalizedStep, event: StepReplied): void {
  const st = stepOf(d, step);
  if (event.outcome === 'success') {
    setStepStatus(d, step, 'SUCCEEDED');
    st.output = cloneJson(event.output ?? null);
    st.succeededAt = d.now;
    st.dueAt = null;
    d.state.completionOrder.push(step.name);
    emit(d, 'step.succeeded', step.name, { attempt: event.attempt, output: cloneJson(st.output) });
    return;
  }
  const message = event.error?.message ?? (event.outcome === 'failure' ? 'business failure' : 'retryable failure');
  recordError(d, step, 'execute', event.attempt, event.error?.code ?? null, message);
  if (event.outcome === 'failure') {
    // A business failure means nothing applied, for every attempt of the action (one action, one outcome).
    st.mayHaveApplied = false;
    failForward(d, step, 'business-failure');
  }
  else retryOrGiveUp(d, step);
}

/**
 * A decisive reply (success or business failure) for an attempt the step no longer
 * waits for: an older attempt while a newer one is out or backing off, or any
 * attempt after the step escalated or was abandoned to compensation. It is the
 * truth about the action (participants are idempotent per saga, step and action).
 * Returns false when it changes nothing: the step has already settled this action.
 */
export function onLateExecuteReply(d: Draft, step: NormalizedStep, event: StepReplied): boolean {
  const st = stepOf(d, step);
  switch (st.status) {
    case 'RUNNING':
    case 'RETRY_WAIT':
      onExecuteReply(d, step, event);
      return true;
    case 'FAILED':
      if (st.needsAttention !== null) return resolveEscalated(d, step, event);
      // Abandoned when the saga began to compensate; the step's compensation has not been sent yet.
      if (st.mayHaveApplied && d.state.status !== 'RUNNING') return learnAbandonedOutcome(d, step, event);
      return false;
    default:
      return false;
  }
}

function succeedLate(d: Draft, step: NormalizedStep, event: StepReplied): void {
  const st = stepOf(d, step);
  setStepStatus(d, step, 'SUCCEEDED');
  st.output = cloneJson(event.output ?? null);
  st.succeededAt = d.now;
  st.dueAt = null;
  st.needsAttention = null;
  d.state.completionOrder.push(step.name);
  emit(d, 'step.succeeded', step.name, { attempt: event.attempt, output: cloneJson(st.output), late: true });
}

function resolveEscalated(d: Draft, step: NormalizedStep, event: StepReplied): boolean {
  const st = stepOf(d, step);
  const reason = st.needsAttention?.reason;
  if (reason === 'STEP_FAILED_AFTER_PIVOT') return false;
  if (event.outcome === 'success') {
    leaveFailed(d);
    succeedLate(d, step, event);
    return true;
  }
  const message = event.error?.message ?? 'business failure';
  recordError(d, step, 'execute', event.attempt, event.error?.code ?? null, message);
  const detail = `step '${step.name}' failed: ${message}`;
  if (reason === 'PIVOT_OUTCOME_UNKNOWN') {
    // The pivot did not apply after all: undo the steps before it.
    st.mayHaveApplied = false;
    st.needsAttention = null;
    emit(d, 'step.failed', step.name, { action: 'execute', attempt: event.attempt, cause: 'business-failure', mayHaveApplied: false, late: true, error: errorData(st.lastError) });
    leaveFailed(d);
    beginCompensation(d, { cause: 'step-failed', step: step.name, by: null, message: detail });
    return true;
  }
  st.needsAttention = { reason: 'STEP_FAILED_AFTER_PIVOT', message: detail, at: d.now };
  emit(d, 'step.failed', step.name, { action: 'execute', attempt: event.attempt, cause: 'business-failure', mayHaveApplied: st.mayHaveApplied, late: true, error: errorData(st.lastError) });
  return true;
}

function learnAbandonedOutcome(d: Draft, step: NormalizedStep, event: StepReplied): boolean {
  const st = stepOf(d, step);
  if (event.outcome === 'success') {
    // It did apply: it will be compensated like any succeeded step, with its real output.
    succeedLate(d, step, event);
    return true;
  }
  // It did not apply: nothing to undo.
  st.mayHaveApplied = false;
  recordError(d, step, 'execute', event.attempt, event.error?.code ?? null, event.error?.message ?? 'business failure');
  emit(d, 'step.failed', step.name, { action: 'execute', attempt: event.attempt, cause: 'business-failure', mayHaveApplied: false, late: true, error: errorData(st.lastError) });
  return true;
}

export function onExecuteTimeout(d: Draft, step: NormalizedStep, attempt: number): void {
  stepOf(d, step).mayHaveApplied = true;
  recordError(d, step, 'execute', attempt, 'ATTEMPT_TIMED_OUT', `no reply within ${step.timeoutMs} ms`);
  retryOrGiveUp(d, step);
}

function retryOrGiveUp(d: Draft, step: NormalizedStep): void {
  const st = stepOf(d, step);
  if (d.state.status !== 'RUNNING') {
    failForward(d, step, 'abandoned');
  } else if (hasAttemptsLeft(step.retry, st.attemptsSinceReset, st.budgetStartedAt, d.now)) {
    const delayMs = backoffDelayMs(step.retry, st.attemptsSinceReset, d.random());
    setStepStatus(d, step, 'RETRY_WAIT');
    st.dueAt = d.now + delayMs;
    emit(d, 'step.retrying', step.name, {
      action: 'execute',
      attempt: st.attempt,
      nextAttempt: st.attempt + 1,
      delayMs,
      error: errorData(st.lastError),
    });
  } else {
    failForward(d, step, 'attempts-exhausted');
  }
}

type ForwardFailure = 'business-failure' | 'attempts-exhausted' | 'abandoned';

function failForward(d: Draft, step: NormalizedStep, cause: ForwardFailure): void {
  const st = stepOf(d, step);
  setStepStatus(d, step, 'FAILED');
  st.dueAt = null;
  emit(d, 'step.failed', step.name, {
    action: 'execute',
    attempt: st.attempt,
    cause,
    mayHaveApplied: st.mayHaveApplied,
    error: errorData(st.lastError),
  });
  // Abandoned: the saga is already compensating and only waited for this reply.
  if (cause === 'abandoned' || d.state.status !== 'RUNNING') return;

  const detail =
    cause === 'business-failure'
      ? `step '${step.name}' failed: ${st.lastError?.message ?? 'business failure'}`
      : `step '${step.name}' failed after ${st.attemptsSinceReset} attempts: ${st.lastError?.message ?? 'retryable failure'}`;
  const needsOperator = (reason: AttentionRecord['reason']): void => {
    st.needsAttention = { reason, message: detail, at: d.now };
  };
  switch (step.phase) {
    case 'compensatable':
      beginCompensation(d, { cause: 'step-failed', step: step.name, by: null, message: detail });
      return;
    case 'pivot':
      if (st.mayHaveApplied && step.compensation === null) needsOperator('PIVOT_OUTCOME_UNKNOWN');
      else beginCompensation(d, { cause: 'step-failed', step: step.name, by: null, message: detail });
      return;
    case 'retriable':
      needsOperator(cause === 'business-failure' ? 'STEP_FAILED_AFTER_PIVOT' : 'FORWARD_ATTEMPTS_EXHAUSTED');
      return;
  }
}
