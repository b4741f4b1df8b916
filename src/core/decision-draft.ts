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
import type { SagaEffect } from './saga-effects';
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
  const copy = structuredClone(state);
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
    attempt = st.compensationAttempt;
    payload = { input: st.input, output: st.output };
    commandType = step.compensation;
  }
  st.dueAt = d.now + step.timeoutMs;
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
