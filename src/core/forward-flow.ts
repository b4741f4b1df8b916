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
import { emit, errorData, escalate, recordError, sendAttempt, setSagaStatus, setStepStatus, stepOf, type Draft } from './decision-draft';
import { cloneJson } from '@saga-coordinator/participant/protocol';
import { backoffDelayMs, hasAttemptsLeft } from './retry-policy';
import type { NormalizedStep } from './saga-definition';
import type { StepReplied } from './saga-events';
import type { AttentionRecord } from './saga-state';

/** Starts the next stage, completes the saga, or escalates — whichever the state calls for. */
export function advanceForward(d: Draft): void {
  for (const stage of d.def.stages) {
    const statuses = stage.steps.map((step) => stepOf(d, step).status);
    if (statuses.every((s) => s === 'SUCCEEDED')) continue;
    const pending = stage.steps.filter((step) => stepOf(d, step).status === 'PENDING');
    if (pending.length > 0) {
      for (const step of pending) sendAttempt(d, step, 'execute');
      return;
    }
    if (statuses.some((s) => s === 'RUNNING' || s === 'RETRY_WAIT')) return;
    escalate(d, 'RUNNING');
    return;
  }
  setSagaStatus(d, 'COMPLETED');
  d.state.finishedAt = d.now;
  emit(d, 'saga.completed');
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
  if (event.outcome === 'failure') failForward(d, step, 'business-failure');
  else retryOrGiveUp(d, step);
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
  } else if (hasAttemptsLeft(st.attemptsSinceReset, step.retry.maxAttempts)) {
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
