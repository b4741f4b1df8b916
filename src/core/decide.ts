/**
 * `decide`: the saga state machine as one pure function.
 *
 *     decide(state, definition, event, { now, random }) -> { state', effects }
 *
 * `definition` is the normalized definition of the version the instance runs
 * on (the state does not embed it, see saga-state.ts). Given the same
 * arguments `decide` returns the same result: time and randomness (used only
 * for backoff jitter) come in through the context, ids are derived
 * from the state, and the input state is never modified. So the coordinator
 * can re-decide an event after a crash and get the very same commands, and
 * every behaviour is testable without I/O.
 *
 * Stale and duplicate events are normal in an at-least-once system and come
 * back as `ignored`; operator requests the state does not allow come back as
 * `rejected`; both leave the state untouched (see decision.ts). Thrown errors
 * mean a bug or a mismatched definition, never bad luck.
 */
import { advanceCompensation, onCompensationReply, onCompensationTimeout } from './compensation-flow';
import { findStep, stepsOf } from './definition-normalization';
import type { Decision, IgnoredEvent } from './decision';
import { createDraft, emit, sendAttempt, type Draft } from './decision-draft';
import { DefinitionMismatchError, InvalidArgumentError, SagaNotStartedError } from './errors';
import { advanceForward, onExecuteReply, onExecuteTimeout } from './forward-flow';
import { cancel, deadline, override, resume, retry, type HandlerVerdict } from './operator-actions';
import type { StepAction } from '@saga-coordinator/participant/protocol';
import type { NormalizedSagaDefinition, NormalizedStep } from './saga-definition';
import type { SagaEffect } from './saga-effects';
import type { AttemptTimedOut, BackoffElapsed, SagaEvent, StepReplied } from './saga-events';
import { stepState, type SagaState, type StepState } from './saga-state';
import { isTerminalSagaStatus } from './saga-status';
import { activeTimers, firedTimerId } from './timers';

export interface DecideContext {
  /** Epoch milliseconds at which the event is applied. */
  now: number;
  /** Uniform in [0, 1); used only for backoff jitter. */
  random: () => number;
}

export function decide(state: SagaState, definition: NormalizedSagaDefinition, event: SagaEvent, ctx: DecideContext): Decision {
  checkDefinition(state, definition);
  if (!Number.isFinite(ctx.now)) throw new InvalidArgumentError('now', 'must be epoch milliseconds', { sagaId: state.sagaId });
  if (state.startedAt === null && event.type !== 'SagaStarted') throw new SagaNotStartedError(event.type, { sagaId: state.sagaId });

  const d = createDraft(state, definition, ctx.now, ctx.random);
  const verdict = apply(d, event);
  if (verdict !== null) {
    return 'ignored' in verdict
      ? { state, effects: [], ignored: verdict.ignored }
      : { state, effects: [], rejected: verdict.rejected };
  }
  // Handlers only record what happened; moving on (next stage, next compensation, finishing,
  // escalating) is derived from the resulting state in one place, whatever the event was.
  if (d.state.status === 'RUNNING') advanceForward(d);
  if (d.state.status === 'COMPENSATING') advanceCompensation(d);
  return { state: d.state, effects: [...d.effects, ...timerEffects(state, d, event), ...finishEffects(state, d.state)] };
}

function apply(d: Draft, event: SagaEvent): HandlerVerdict {
  switch (event.type) {
    case 'SagaStarted':
      return start(d);
    case 'StepReplied':
      return onReply(d, event);
    case 'AttemptTimedOut':
      return onTimeout(d, event);
    case 'BackoffElapsed':
      return onBackoffElapsed(d, event);
    case 'DeadlineReached':
      return deadline(d, event);
    case 'CancelRequested':
      return cancel(d, event);
    case 'RetryRequested':
      return retry(d, event);
    case 'ResumeRequested':
      return resume(d, event);
    case 'StepOverridden':
      return override(d, event);
    default: {
      const unknown: never = event;
      throw new InvalidArgumentError('event', `unknown event type ${JSON.stringify((unknown as { type?: unknown }).type)}`, {
        sagaId: d.state.sagaId,
      });
    }
  }
}

function start(d: Draft): HandlerVerdict {
  if (d.state.startedAt !== null) return ignore('ALREADY_STARTED', 'saga has already started');
  d.state.startedAt = d.now;
  d.state.deadlineAt = d.def.deadlineMs === null ? null : d.now + d.def.deadlineMs;
  emit(d, 'saga.started', undefined, { deadlineAt: d.state.deadlineAt });
  return null;
}

function onReply(d: Draft, event: StepReplied): HandlerVerdict {
  const found = waitingStep(d, event, 'reply');
  if ('ignored' in found) return found;
  if (event.action === 'execute') onExecuteReply(d, found.step, event);
  else onCompensationReply(d, found.step, event);
  return null;
}

function onTimeout(d: Draft, event: AttemptTimedOut): HandlerVerdict {
  const found = waitingStep(d, event, 'timeout');
  if ('ignored' in found) return found;
  if (event.action === 'execute') onExecuteTimeout(d, found.step, event.attempt);
  else onCompensationTimeout(d, found.step, event.attempt);
  return null;
}

/** The step a reply or timeout is for, if that step is still waiting for exactly this attempt. */
function waitingStep(
  d: Draft,
  event: { step: string; action: StepAction; attempt: number },
  what: 'reply' | 'timeout',
): { step: NormalizedStep } | { ignored: IgnoredEvent } {
  if (isTerminalSagaStatus(d.state.status)) return ignore('SAGA_FINISHED', `saga is already ${d.state.status}`);
  const step = findStep(d.def, event.step);
  const st = step && stepState(d.state, step.name);
  if (!step || !st) return ignore('UNKNOWN_STEP', `saga has no step '${event.step}'`);
  const current = event.action === 'execute' ? st.attempt : st.compensationAttempt;
  const label = `${what} for ${event.action} attempt ${event.attempt} of step '${step.name}'`;
  if (event.attempt < current) return ignore('STALE_ATTEMPT', `${label}, but attempt ${current} is the current one`);
  if (event.attempt > current) return ignore('UNKNOWN_ATTEMPT', `${label}, which was never sent (last: ${current})`);
  const awaiting = event.action === 'execute' ? 'RUNNING' : 'COMPENSATING';
  if (st.status !== awaiting) return ignore('NOT_AWAITING_REPLY', `${label}, but the step is ${st.status}`);
  return { step };
}

function onBackoffElapsed(d: Draft, event: BackoffElapsed): HandlerVerdict {
  if (isTerminalSagaStatus(d.state.status)) return ignore('SAGA_FINISHED', `saga is already ${d.state.status}`);
  const step = findStep(d.def, event.step);
  const st: StepState | undefined = step && stepState(d.state, step.name);
  if (!step || !st) return ignore('UNKNOWN_STEP', `saga has no step '${event.step}'`);
  const waiting = event.action === 'execute' ? 'RETRY_WAIT' : 'COMPENSATION_RETRY_WAIT';
  const next = (event.action === 'execute' ? st.attempt : st.compensationAttempt) + 1;
  const label = `backoff before ${event.action} attempt ${event.attempt} of step '${step.name}'`;
  if (st.status !== waiting) return ignore('NOT_IN_BACKOFF', `${label}, but the step is ${st.status}`);
  if (event.attempt !== next) return ignore('STALE_ATTEMPT', `${label}, but the next attempt is ${next}`);
  sendAttempt(d, step, event.action);
  return null;
}

function ignore(code: IgnoredEvent['code'], reason: string): { ignored: IgnoredEvent } {
  return { ignored: { code, reason } };
}

/** ScheduleTimer / CancelTimer for the difference between the timers implied before and after. */
function timerEffects(before: SagaState, d: Draft, event: SagaEvent): SagaEffect[] {
  const fired = firedTimerId(before.sagaId, event);
  const was = activeTimers(before, d.def);
  const is = activeTimers(d.state, d.def);
  const effects: SagaEffect[] = [];
  for (const timerId of was.keys()) {
    if (!is.has(timerId) && timerId !== fired) effects.push({ type: 'CancelTimer', timerId });
  }
  for (const [timerId, timer] of is) if (!was.has(timerId)) effects.push(timer);
  return effects;
}

function finishEffects(before: SagaState, after: SagaState): SagaEffect[] {
  return !isTerminalSagaStatus(before.status) && isTerminalSagaStatus(after.status)
    ? [{ type: 'FinishSaga', status: after.status }]
    : [];
}

function checkDefinition(state: SagaState, def: NormalizedSagaDefinition): void {
  const expected = `${state.definition.name} v${state.definition.version}`;
  if (def.name !== state.definition.name) {
    throw new DefinitionMismatchError(expected, def.name, 'names differ', { sagaId: state.sagaId });
  }
  const names = stepsOf(def).map((step) => step.name);
  const stored = Object.keys(state.steps);
  const missing = names.filter((name) => !stepState(state, name));
  if (missing.length > 0 || stored.length !== names.length) {
    throw new DefinitionMismatchError(expected, def.name, `steps differ (definition: ${names.join(', ')}; state: ${stored.join(', ')})`, {
      sagaId: state.sagaId,
    });
  }
}
