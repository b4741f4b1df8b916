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
 *
 * Replies: participants are idempotent per (saga, step, action), so every
 * attempt of one action has one outcome. A decisive reply (success, or a
 * business failure of an execute) for ANY attempt of the action in progress is
 * the truth and is applied once — also after the step backed off, escalated to
 * an operator, or moved on to a newer attempt. Only `retry` answers (and
 * timeouts) of attempts other than the current one are stale, and so is every
 * answer to an attempt sent before an operator's retry or resume (the new
 * attempt gets the participant's recorded answer anyway).
 */
import { advanceCompensation, onCompensationReply, onCompensationTimeout, onLateCompensationReply } from './compensation-flow';
import { findStep, stepsOf } from './definition-normalization';
import { APPLIED, ignored, rejected, type Decision, type IgnoredCode, type NotApplied } from './decision';
import { createDraft, emit, recordAttemptResult, sendAttempt, setSagaStatus, type Draft } from './decision-draft';
import { DefinitionMismatchError, InvalidArgumentError, SagaNotStartedError } from './errors';
import { advanceForward, onExecuteReply, onExecuteTimeout, onLateExecuteReply } from './forward-flow';
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
  if (state.status === 'QUEUED' && event.type !== 'SagaStarted' && event.type !== 'CancelRequested') return { state, effects: [], verdict: whileQueued(event) };
  if (state.startedAt === null && state.status !== 'QUEUED' && event.type !== 'SagaStarted') throw new SagaNotStartedError(event.type, { sagaId: state.sagaId });

  const d = createDraft(state, definition, ctx.now, ctx.random);
  const notApplied = apply(d, event);
  if (notApplied !== null) return { state, effects: [], verdict: notApplied };
  // Handlers only record what happened; moving on (next stage, next compensation, finishing,
  // escalating) is derived from the resulting state in one place, whatever the event was.
  if (d.state.status === 'RUNNING') advanceForward(d);
  if (d.state.status === 'COMPENSATING') advanceCompensation(d);
  return { state: d.state, effects: [...d.effects, ...timerEffects(state, d, event), ...finishEffects(state, d.state)], verdict: APPLIED };
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

/** A QUEUED saga hears only SagaStarted (its turn came) and CancelRequested; operators are told why not, the rest is stale. */
function whileQueued(event: SagaEvent): NotApplied {
  const message = 'saga is QUEUED behind another with its concurrency key; it has sent nothing yet (cancel it, or wait for its turn)';
  return event.type === 'RetryRequested' || event.type === 'ResumeRequested' || event.type === 'StepOverridden' ? rejected('SAGA_QUEUED', message) : ignored('SAGA_QUEUED', message);
}

function start(d: Draft): HandlerVerdict {
  if (d.state.startedAt !== null) return ignore('ALREADY_STARTED', 'saga has already started');
  // A queued saga cancelled before its turn came: an admission that read it as QUEUED is late.
  if (isTerminalSagaStatus(d.state.status)) return ignore('SAGA_FINISHED', `saga is already ${d.state.status}`);
  if (d.state.status === 'QUEUED') setSagaStatus(d, 'RUNNING');
  d.state.startedAt = d.now;
  d.state.deadlineAt = d.def.deadlineMs === null ? null : d.now + d.def.deadlineMs;
  emit(d, 'saga.started', undefined, { deadlineAt: d.state.deadlineAt });
  return null;
}

function onReply(d: Draft, event: StepReplied): HandlerVerdict {
  const found = repliedStep(d, event, 'reply');
  if ('kind' in found) return found;
  const { step, st } = found;
  const current = event.action === 'execute' ? st.attempt : st.compensationAttempt;
  const label = `reply for ${event.action} attempt ${event.attempt} of step '${step.name}'`;
  const decisive = event.outcome === 'success' || (event.action === 'execute' && event.outcome === 'failure');
  if (event.attempt === current && isAwaiting(st, event.action)) {
    recordAttemptResult(d, step, event);
    if (event.action === 'execute') onExecuteReply(d, step, event);
    else onCompensationReply(d, step, event);
    return null;
  }
  // Attempts sent before an operator's retry or resume belong to a budget the operator chose to start over.
  const sinceReset = event.action === 'execute' ? st.attemptsSinceReset : st.compensationAttemptsSinceReset;
  if (decisive && event.attempt > current - sinceReset) {
    const wasAwaiting = isAwaiting(st, event.action);
    const resolved = event.action === 'execute' ? onLateExecuteReply(d, step, event) : onLateCompensationReply(d, step, event);
    if (resolved) {
      recordAttemptResult(d, step, event);
      // The attempt still out is answered by this reply: nobody waits for it any more.
      if (wasAwaiting) recordAttemptResult(d, step, { action: event.action, attempt: current, abandoned: true });
      return null;
    }
  }
  if (event.attempt < current) return ignore('STALE_ATTEMPT', `${label} (${event.outcome}), but attempt ${current} is the current one`);
  return ignore('NOT_AWAITING_REPLY', `${label} (${event.outcome}), but the step is ${st.status}`);
}

function onTimeout(d: Draft, event: AttemptTimedOut): HandlerVerdict {
  const found = repliedStep(d, event, 'timeout');
  if ('kind' in found) return found;
  const { step, st } = found;
  const current = event.action === 'execute' ? st.attempt : st.compensationAttempt;
  const label = `timeout of ${event.action} attempt ${event.attempt} of step '${step.name}'`;
  if (event.attempt < current) return ignore('STALE_ATTEMPT', `${label}, but attempt ${current} is the current one`);
  if (!isAwaiting(st, event.action)) return ignore('NOT_AWAITING_REPLY', `${label}, but the step is ${st.status}`);
  recordAttemptResult(d, step, event);
  if (event.action === 'execute') onExecuteTimeout(d, step, event.attempt);
  else onCompensationTimeout(d, step, event.attempt);
  return null;
}

function isAwaiting(st: StepState, action: StepAction): boolean {
  return st.status === (action === 'execute' ? 'RUNNING' : 'COMPENSATING');
}

/** The step a reply or timeout names, if the saga can still hear about it and the attempt was sent. */
function repliedStep(
  d: Draft,
  event: { step: string; action: StepAction; attempt: number },
  what: 'reply' | 'timeout',
): { step: NormalizedStep; st: StepState } | NotApplied {
  if (isTerminalSagaStatus(d.state.status)) return ignore('SAGA_FINISHED', `saga is already ${d.state.status}`);
  const step = findStep(d.def, event.step);
  const st = step && stepState(d.state, step.name);
  if (!step || !st) return ignore('UNKNOWN_STEP', `saga has no step '${event.step}'`);
  const current = event.action === 'execute' ? st.attempt : st.compensationAttempt;
  if (!(event.attempt >= 1 && event.attempt <= current)) {
    return ignore('UNKNOWN_ATTEMPT', `${what} for ${event.action} attempt ${event.attempt} of step '${step.name}', which was never sent (last: ${current})`);
  }
  return { step, st };
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

function ignore(code: IgnoredCode, reason: string): NotApplied {
  return ignored(code, reason);
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
