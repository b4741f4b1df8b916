/**
 * Timers: attempt timeouts, retry backoffs and the saga deadline.
 *
 * Timers are a function of the state: a RUNNING or COMPENSATING step has an
 * attempt-timeout timer, a step in a *_RETRY_WAIT status a backoff timer, a
 * saga that can still be cancelled by its deadline a deadline timer.
 * `decide` compares these sets before and after each event and emits
 * ScheduleTimer / CancelTimer for the difference, so a timer can never be
 * forgotten or left armed by one code path.
 *
 * Timer ids are deterministic and never reused (attempt numbers only grow):
 *   attempt-timeout  `${sagaId}:timeout:${step}:${action}:${attempt}`
 *   backoff          `${sagaId}:backoff:${step}:${action}:${attempt}`  (the attempt it precedes)
 *   deadline         `${sagaId}:deadline`
 * When a timer is due, the timer service turns it into an event with
 * `timerEvent` and decides it; a timer that fires after it was cancelled
 * (a race) is ignored by `decide` as stale.
 */
import type { StepAction } from '@saga-coordinator/participant/protocol';
import type { NormalizedSagaDefinition } from './saga-definition';
import type { ScheduleTimer } from './saga-effects';
import type { AttemptTimedOut, BackoffElapsed, DeadlineReached } from './saga-events';
import type { SagaState } from './saga-state';
import { findStep } from './definition-normalization';
import { InvalidArgumentError } from './errors';

export function attemptTimeoutTimerId(sagaId: string, step: string, action: StepAction, attempt: number): string {
  return `${sagaId}:timeout:${step}:${action}:${attempt}`;
}

export function backoffTimerId(sagaId: string, step: string, action: StepAction, attempt: number): string {
  return `${sagaId}:backoff:${step}:${action}:${attempt}`;
}

export function deadlineTimerId(sagaId: string): string {
  return `${sagaId}:deadline`;
}

/**
 * Whether the deadline can still act: the saga runs forward and has not
 * started its pivot. Once the pivot's command may have reached its
 * participant the saga is committed to finishing forward, so neither the
 * deadline nor a cancel can turn it around.
 */
export function deadlineArmed(state: SagaState, def: NormalizedSagaDefinition): boolean {
  return state.deadlineAt !== null && state.startedAt !== null && state.status === 'RUNNING' && !pivotStarted(state, def);
}

/** Whether the pivot's command has been sent at least once. */
export function pivotStarted(state: SagaState, def: NormalizedSagaDefinition): boolean {
  if (def.pivot === null) return false;
  return state.steps[def.pivot].attempt > 0;
}

/** The timers the state implies, by timer id. */
export function activeTimers(state: SagaState, def: NormalizedSagaDefinition): Map<string, ScheduleTimer> {
  const timers = new Map<string, ScheduleTimer>();
  const add = (timer: Omit<ScheduleTimer, 'type'>): void => {
    timers.set(timer.timerId, { type: 'ScheduleTimer', ...timer });
  };
  for (const [name, step] of Object.entries(state.steps)) {
    if (step.dueAt === null || !findStep(def, name)) continue;
    const dueAt = step.dueAt;
    switch (step.status) {
      case 'RUNNING':
        add({ timerId: attemptTimeoutTimerId(state.sagaId, name, 'execute', step.attempt), kind: 'attempt-timeout', step: name, action: 'execute', attempt: step.attempt, dueAt });
        break;
      case 'COMPENSATING':
        add({ timerId: attemptTimeoutTimerId(state.sagaId, name, 'compensate', step.compensationAttempt), kind: 'attempt-timeout', step: name, action: 'compensate', attempt: step.compensationAttempt, dueAt });
        break;
      case 'RETRY_WAIT':
        add({ timerId: backoffTimerId(state.sagaId, name, 'execute', step.attempt + 1), kind: 'backoff', step: name, action: 'execute', attempt: step.attempt + 1, dueAt });
        break;
      case 'COMPENSATION_RETRY_WAIT':
        add({ timerId: backoffTimerId(state.sagaId, name, 'compensate', step.compensationAttempt + 1), kind: 'backoff', step: name, action: 'compensate', attempt: step.compensationAttempt + 1, dueAt });
        break;
      default:
        break;
    }
  }
  if (deadlineArmed(state, def) && state.deadlineAt !== null) {
    add({ timerId: deadlineTimerId(state.sagaId), kind: 'deadline', dueAt: state.deadlineAt });
  }
  return timers;
}

/** The event to decide when `timer` is due. */
export function timerEvent(timer: ScheduleTimer): AttemptTimedOut | BackoffElapsed | DeadlineReached {
  if (timer.kind === 'deadline') return { type: 'DeadlineReached' };
  if (timer.step === undefined || timer.action === undefined || timer.attempt === undefined) {
    throw new InvalidArgumentError('timer', `${timer.timerId} of kind ${timer.kind} lacks step, action or attempt`);
  }
  const fields = { step: timer.step, action: timer.action, attempt: timer.attempt };
  return timer.kind === 'attempt-timeout' ? { type: 'AttemptTimedOut', ...fields } : { type: 'BackoffElapsed', ...fields };
}

/** The id of the timer whose firing produced `event`, if it is a timer event. */
export function firedTimerId(sagaId: string, event: { type: string; step?: string; action?: StepAction; attempt?: number }): string | null {
  if (event.type === 'DeadlineReached') return deadlineTimerId(sagaId);
  if (event.step === undefined || event.action === undefined || event.attempt === undefined) return null;
  if (event.type === 'AttemptTimedOut') return attemptTimeoutTimerId(sagaId, event.step, event.action, event.attempt);
  if (event.type === 'BackoffElapsed') return backoffTimerId(sagaId, event.step, event.action, event.attempt);
  return null;
}

/** The earliest timer the state implies and the participant it waits on (null for the saga deadline), or null. */
export function nextTimer(state: SagaState, def: NormalizedSagaDefinition): { dueAt: number; participant: string | null } | null {
  let next: ScheduleTimer | null = null;
  for (const timer of activeTimers(state, def).values()) if (next === null || timer.dueAt < next.dueAt) next = timer;
  if (next === null) return null;
  return { dueAt: next.dueAt, participant: next.step === undefined ? null : (findStep(def, next.step)?.participant ?? null) };
}

/**
 * The earliest timer due at `now` as the event to decide, or null. `heldBack` names
 * participants whose timers must wait (not consuming, or their circuit breaker is
 * open): a timer of a step on such a participant does not fire, the saga deadline does.
 * Decide it, then ask again on the new state: one timer firing can make another moot.
 */
export function dueTimerEvent(
  state: SagaState,
  def: NormalizedSagaDefinition,
  now: number,
  heldBack: (participant: string) => boolean = () => false,
): AttemptTimedOut | BackoffElapsed | DeadlineReached | null {
  let next: ScheduleTimer | null = null;
  for (const timer of activeTimers(state, def).values()) {
    if (timer.dueAt > now) continue;
    const participant = timer.step === undefined ? null : findStep(def, timer.step)?.participant;
    if (participant && heldBack(participant)) continue;
    if (next === null || timer.dueAt < next.dueAt) next = timer;
  }
  return next === null ? null : timerEvent(next);
}
