/**
 * The working copy of one decision (internal to `decide`).
 *
 * `decide` deep-copies the state into a Draft, lets the handlers change the
 * copy in place, and collects the effects they produce. The input state is
 * never touched. Status changes go only through `setSagaStatus` /
 * `setStepStatus`, which enforce the transition tables; commands only through
 * `sendAttempt`, which keeps attempt counters, deadlines and command ids
 * consistent.
 */
import { stepsOf } from './definition-normalization';
import { CorruptStateError } from './errors';
import { resolveStepInput } from './input-mapping';
import { cloneJson, type JsonObject, type JsonValue, commandMessageId, type LifecycleEventType, type StepAction } from '@saga-coordinator/participant/protocol';
import type { NormalizedSagaDefinition, NormalizedStep } from './saga-definition';
import type { RecordAttemptResult, SagaEffect } from './saga-effects';
import type { AttemptTimedOut, StepReplied } from './saga-events';
import type { SagaState, StepErrorRecord, StepState } from './saga-state';
import { assertSagaTransition, assertStepTransition, type SagaStatus, type StepStatus } from './saga-status';

export interface Draft {
  readonly def: NormalizedSagaDefinition;
  readonly now: number;
  readonly random: () => number;
  readonly state: SagaState;
  readonly effects: SagaEffect[];
  lifecycleEvents: number;
}

export function createDraft(state: SagaState, def: NormalizedSagaDefinition, now: number, random: () => number): Draft {
  // The state is stored JSON (read through the versioned reader), so a JSON copy is a whole copy.
  const copy = cloneJson(state as unknown as JsonObject) as unknown as SagaState;
  copy.seq += 1;
  copy.updatedAt = now;
  return { def, now, random, state: copy, effects: [], lifecycleEvents: 0 };
}

export function stepOf(d: Draft, step: NormalizedStep): StepState {
  return d.state.steps[step.name];
}

export function setSagaStatus(d: Draft, to: SagaStatus): void {
  assertSagaTransition(d.state.status, to, d.state.sagaId);
  d.state.status = to;
}

export function setStepStatus(d: Draft, step: NormalizedStep, to: StepStatus): void {
  const st = stepOf(d, step);
  assertStepTransition(st.status, to, d.state.sagaId, step.name);
  st.status = to;
}

export function emit(d: Draft, eventType: LifecycleEventType, step?: string, data?: JsonObject): void {
  d.effects.push({
    type: 'EmitLifecycleEvent',
    eventId: `${d.state.sagaId}:${d.state.seq}:${d.lifecycleEvents++}`,
    eventType,
    ...(step === undefined ? {} : { step }),
    occurredAt: d.now,
    ...(data === undefined ? {} : { data }),
  });
}

/** Outputs of the steps that have succeeded, for the input mapping. */
export function succeededOutputs(state: SagaState): Record<string, JsonValue> {
  return Object.fromEntries(
    Object.entries(state.steps)
      .filter(([, st]) => st.status === 'SUCCEEDED')
      .map(([name, st]) => [name, st.output ?? null]),
  );
}

/**
 * Sends the next attempt of `action` for `step`: bumps the attempt number and
 * budget, moves the step to RUNNING / COMPENSATING and sets its deadline. The
 * step's input is resolved once, when it first starts, so every attempt —
 * and its compensation — carries the same payload.
 */
export function sendAttempt(d: Draft, step: NormalizedStep, action: StepAction): void {
  const st = stepOf(d, step);
  let attempt: number;
  let payload: JsonValue;
  let commandType: string;
  if (action === 'execute') {
    setStepStatus(d, step, 'RUNNING');
    if (st.startedAt === null) {
      st.startedAt = d.now;
      st.input = resolveStepInput(step.input, d.state.input, succeededOutputs(d.state));
    }
    st.attempt += 1;
    st.attemptsSinceReset += 1;
    if (st.attemptsSinceReset === 1) st.budgetStartedAt = d.now;
    attempt = st.attempt;
    payload = st.input;
    commandType = step.command;
  } else {
    if (step.compensation === null) {
      throw new CorruptStateError(`step '${step.name}' has no compensation to send`, { sagaId: d.state.sagaId, step: step.name });
    }
    setStepStatus(d, step, 'COMPENSATING');
    st.compensationAttempt += 1;
    st.compensationAttemptsSinceReset += 1;
    if (st.compensationAttemptsSinceReset === 1) st.compensationBudgetStartedAt = d.now;
    attempt = st.compensationAttempt;
    payload = { input: st.input, output: st.output };
    commandType = step.compensation;
  }
  st.dueAt = d.now + step.timeoutMs;
  // Progress for observers: once per step and action, not per retry (attempt numbers only grow, so 1 is the first).
  if (attempt === 1) emit(d, 'step.started', step.name, { action });
  d.effects.push({
    type: 'SendCommand',
    commandId: commandMessageId(d.state.sagaId, step.name, action, attempt),
    step: step.name,
    action,
    attempt,
    participant: step.participant,
    commandType,
    // A copy: the adapter may do what it likes with an effect without touching the state.
    payload: cloneJson(payload),
    deadlineAt: st.dueAt,
  });
}

const REPLY_ATTEMPT_STATUS = { success: 'SUCCEEDED', failure: 'FAILED', retry: 'RETRY_REQUESTED' } as const;

/** Records how an attempt ended: answered (a reply), timed out, or abandoned because another attempt's reply settled the step. */
export function recordAttemptResult(
  d: Draft,
  step: NormalizedStep,
  ended: StepReplied | AttemptTimedOut | { action: StepAction; attempt: number; abandoned: true },
): void {
  const effect: RecordAttemptResult = {
    type: 'RecordAttemptResult',
    commandId: commandMessageId(d.state.sagaId, step.name, ended.action, ended.attempt),
    step: step.name,
    action: ended.action,
    attempt: ended.attempt,
    status: 'abandoned' in ended ? 'ABANDONED' : ended.type === 'AttemptTimedOut' ? 'TIMED_OUT' : REPLY_ATTEMPT_STATUS[ended.outcome],
  };
  if ('type' in ended && ended.type === 'StepReplied') {
    if (ended.output !== undefined) effect.output = cloneJson(ended.output);
    if (ended.error !== undefined) effect.error = { ...ended.error };
  }
  d.effects.push(effect);
}

export function recordError(
  d: Draft,
  step: NormalizedStep,
  action: StepAction,
  attempt: number,
  code: string | null,
  message: string,
): StepErrorRecord {
  const error: StepErrorRecord = { action, attempt, code, message, at: d.now };
  stepOf(d, step).lastError = error;
  return error;
}

export function errorData(error: StepErrorRecord | null): JsonValue {
  return error === null ? null : { code: error.code, message: error.message };
}

/**
 * Moves the saga to FAILED: nothing is in flight and some steps need an
 * operator. Called only once a stage has settled, so the invariant "FAILED
 * means nothing is moving" holds.
 */
export function escalate(d: Draft, from: 'RUNNING' | 'COMPENSATING'): void {
  const stuck = stepsOf(d.def).filter((step) => stepOf(d, step).needsAttention !== null);
  if (stuck.length === 0) {
    throw new CorruptStateError(`saga cannot proceed from ${from} but no step needs attention`, { sagaId: d.state.sagaId });
  }
  setSagaStatus(d, 'FAILED');
  d.state.escalation = { from, steps: stuck.map((step) => step.name), at: d.now };
  emit(d, 'saga.failed', undefined, {
    from,
    steps: stuck.map((step) => {
      const attention = stepOf(d, step).needsAttention;
      return { step: step.name, reason: attention?.reason ?? null, message: attention?.message ?? null };
    }),
  });
}

/** FAILED -> the status it escalated from (an operator action, or a late reply that settled what was stuck). */
export function leaveFailed(d: Draft): void {
  if (d.state.status !== 'FAILED') return;
  const from = d.state.escalation?.from ?? 'COMPENSATING';
  setSagaStatus(d, from);
  d.state.escalation = null;
}
