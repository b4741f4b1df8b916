// Turns decided events into the rows of one engine transaction (persistence/engine-writes.ts):
// a history row per event, and for applied decisions an attempt row per command sent, an
// attempt result per RecordAttemptResult, an outbox message per command and lifecycle
// event. Pure: it maps the core's effects one to one and decides nothing.
import type { Decision } from '../core/decision';
import { PROTOCOL_VERSION, toWireTime, type CommandMessage, type LifecycleEventMessage, type LifecycleEventType } from '@saga-coordinator/participant/protocol';
import type { SagaEvent } from '../core/saga-events';
import type { SagaState } from '../core/saga-state';
import type { TopicNames } from '@saga-coordinator/participant/protocol';
import { wireHeaders } from '@saga-coordinator/participant/protocol';
import type { EngineWrites, HistoryRow } from '../persistence/engine-writes';
import type { MessageContext } from './engine-hooks';

export interface DecidedEvent {
  sagaId: string;
  event: SagaEvent;
  actor: string;
  before: SagaState;
  decision: Decision;
  definitionVersion: number;
  businessKey: string | null;
  idempotencyKey: string | null;
}

export function historyRow(d: DecidedEvent): HistoryRow {
  const v = d.decision.verdict;
  return {
    sagaId: d.sagaId,
    eventType: d.event.type,
    event: d.event,
    statusBefore: d.before.status,
    statusAfter: d.decision.state.status,
    verdict: v.kind,
    verdictCode: v.kind === 'applied' ? null : v.code,
    verdictReason: v.kind === 'applied' ? null : v.reason,
    actor: d.actor,
  };
}

/** Extra headers (trace context) for a message a decision causes. */
export type ExtraHeaders = (message: MessageContext) => Record<string, string>;

/** Where the messages go: the topics, and which lifecycle events are published at all (LIFECYCLE_EVENTS). */
export interface MessageRouting {
  topics: TopicNames;
  lifecycleEvents: ReadonlySet<LifecycleEventType>;
}

/** Appends the history row of `d` and, if it was applied, the rows its effects ask for. */
export function appendDecisionRows(out: EngineWrites, d: DecidedEvent, routing: MessageRouting, extra: ExtraHeaders = () => ({})): void {
  const { topics } = routing;
  out.history.push(historyRow(d));
  if (d.decision.verdict.kind !== 'applied') return;
  const state = d.decision.state;
  for (const effect of d.decision.effects) {
    switch (effect.type) {
      case 'SendCommand': {
        const command: CommandMessage = {
          protocolVersion: PROTOCOL_VERSION,
          messageId: effect.commandId,
          sagaId: d.sagaId,
          definition: state.definition,
          step: effect.step,
          action: effect.action,
          attempt: effect.attempt,
          commandType: effect.commandType,
          replyTopic: topics.replies,
          deadlineAt: toWireTime(effect.deadlineAt),
          payload: effect.payload,
        };
        const headers = wireHeaders('command', d.sagaId, extra({ kind: 'command', sagaId: d.sagaId, step: effect.step, action: effect.action, attempt: effect.attempt }));
        out.outbox.push({ topic: topics.commands(effect.participant), key: d.sagaId, value: JSON.stringify(command), headers });
        out.attempts.push({ sagaId: d.sagaId, step: effect.step, action: effect.action, attempt: effect.attempt, commandId: effect.commandId, deadlineAt: effect.deadlineAt });
        break;
      }
      case 'RecordAttemptResult':
        out.attemptResults.push({ commandId: effect.commandId, status: effect.status, output: effect.output ?? null, error: effect.error ?? null });
        break;
      case 'EmitLifecycleEvent': {
        if (!routing.lifecycleEvents.has(effect.eventType)) break;
        const message: LifecycleEventMessage = {
          protocolVersion: PROTOCOL_VERSION,
          eventId: effect.eventId,
          eventType: effect.eventType,
          sagaId: d.sagaId,
          definition: { name: state.definition.name, version: d.definitionVersion },
          occurredAt: toWireTime(effect.occurredAt),
        };
        if (effect.step !== undefined) message.step = effect.step;
        if (d.businessKey !== null) message.businessKey = d.businessKey;
        if (d.idempotencyKey !== null) message.idempotencyKey = d.idempotencyKey;
        if (effect.data !== undefined) message.data = effect.data;
        const headers = wireHeaders('lifecycle-event', d.sagaId, extra({ kind: 'lifecycle-event', sagaId: d.sagaId, ...(effect.step === undefined ? {} : { step: effect.step }) }));
        out.outbox.push({ topic: topics.events, key: d.sagaId, value: JSON.stringify(message), headers });
        break;
      }
      case 'ScheduleTimer':
      case 'CancelTimer':
      case 'FinishSaga':
        // Timers are a function of the state (core/timers.ts): the instance row's next_due_at is derived
        // from the new state, so timer effects need no rows of their own; finishing is the status.
        break;
    }
  }
}
