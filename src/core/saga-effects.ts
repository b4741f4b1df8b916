/**
 * Effects: what `decide` asks the outside world to do, as plain data. The
 * coordinator applies the effects of one decision in the same database
 * transaction as the new state (commands and lifecycle events become outbox
 * rows, timers become timer rows), so either all of them happen or none.
 *
 * Every id in an effect is deterministic (see timers.ts and
 * protocol.commandMessageId): deciding the same event on the same state again,
 * e.g. after a crash before commit, yields the same ids, so the outbox,
 * participants and the timer table can dedupe.
 */
import type { JsonObject, JsonValue, LifecycleEventType, ReplyError, StepAction } from '@saga-coordinator/participant/protocol';
import type { AttemptStatus, SagaStatus } from './saga-status';

/** Send one attempt of a step's command or compensation to its participant (its attempt is recorded as SENT). */
export interface SendCommand {
  type: 'SendCommand';
  /** `${sagaId}:${step}:${action}:${attempt}`; use as the CommandMessage's messageId. */
  commandId: string;
  step: string;
  action: StepAction;
  attempt: number;
  participant: string;
  commandType: string;
  /** execute: the step's resolved input; compensate: `{ input, output }` (CompensationPayload). */
  payload: JsonValue;
  /** Epoch ms; the attempt times out at this instant (an attempt-timeout timer is scheduled for it). */
  deadlineAt: number;
}

/** How an attempt ended: record it on the attempt's row. Emitted only by applied decisions. */
export interface RecordAttemptResult {
  type: 'RecordAttemptResult';
  /** The attempt's command id. */
  commandId: string;
  step: string;
  action: StepAction;
  attempt: number;
  status: Exclude<AttemptStatus, 'SENT'>;
  output?: JsonValue;
  error?: ReplyError;
}

export type TimerKind = 'attempt-timeout' | 'backoff' | 'deadline';

/** Arm a timer. Upsert by timerId: scheduling the same id twice is one timer. */
export interface ScheduleTimer {
  type: 'ScheduleTimer';
  timerId: string;
  kind: TimerKind;
  step?: string;
  action?: StepAction;
  attempt?: number;
  /** Epoch ms. */
  dueAt: number;
}

/** Disarm a timer. Cancelling a timer that already fired or never existed is a no-op. */
export interface CancelTimer {
  type: 'CancelTimer';
  timerId: string;
}

export interface EmitLifecycleEvent {
  type: 'EmitLifecycleEvent';
  /** `${sagaId}:${seq}:${index}` — unique per instance, stable across re-decisions. */
  eventId: string;
  eventType: LifecycleEventType;
  step?: string;
  /** Epoch ms. */
  occurredAt: number;
  data?: JsonObject;
}

/** The saga reached a terminal status (COMPLETED or COMPENSATED); always the last effect of its decision. */
export interface FinishSaga {
  type: 'FinishSaga';
  status: SagaStatus;
}

export type SagaEffect = SendCommand | RecordAttemptResult | ScheduleTimer | CancelTimer | EmitLifecycleEvent | FinishSaga;
export type SagaEffectType = SagaEffect['type'];
