// Turns the core's effects into rows of the same transaction: commands and lifecycle
// events become outbox rows (published later by the relay), timers become timer rows,
// commands become step attempts, and replies and timeouts close their attempts.
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { AppConfig } from '../config/app-config';
import { commandMessageId, PROTOCOL_VERSION, toWireTime, type CommandMessage, type LifecycleEventMessage, topicNames, type TopicNames } from '@saga-coordinator/participant/protocol';
import type { SagaEffect, ScheduleTimer } from '../core/saga-effects';
import type { SagaEvent } from '../core/saga-events';
import type { SagaState } from '../core/saga-state';
import { insertOutboxMessages, type OutboxMessage } from '../persistence/outbox.repository';
import { deleteTimers, deleteTimersOfSaga, upsertTimers, type SagaTimer } from '../persistence/saga-timer.repository';
import { insertAttempts, recordAttemptResults, type AttemptResult, type NewAttempt } from '../persistence/step-attempt.repository';
import type { RegisteredDefinition } from './saga-definition.service';

export interface AppliedDecisionEffects {
  event: SagaEvent;
  state: SagaState;
  effects: SagaEffect[];
  definition: RegisteredDefinition;
  businessKey: string | null;
}

/** How a reply outcome or a timeout is recorded on its attempt row. */
const ATTEMPT_RESULT = { success: 'SUCCEEDED', failure: 'FAILED', retry: 'RETRY_REQUESTED' } as const;

@Injectable()
export class EffectWriter {
  private readonly topics: TopicNames;

  constructor(config: AppConfig) {
    this.topics = topicNames(config.KAFKA_TOPIC_PREFIX);
  }

  async write(client: PoolClient, decisions: AppliedDecisionEffects[]): Promise<void> {
    const outbox: OutboxMessage[] = [];
    const attempts: NewAttempt[] = [];
    const results: AttemptResult[] = [];
    // Timer writes keep their order: a decision may cancel one timer and schedule another.
    const timerOps: ({ op: 'upsert'; timer: SagaTimer } | { op: 'delete'; timerId: string } | { op: 'delete-saga'; sagaId: string })[] = [];

    for (const { event, state, effects, definition, businessKey } of decisions) {
      const sagaId = state.sagaId;
      if (event.type === 'StepReplied') {
        results.push({
          commandId: commandMessageId(sagaId, event.step, event.action, event.attempt),
          status: ATTEMPT_RESULT[event.outcome],
          output: event.output,
          error: event.error,
        });
      } else if (event.type === 'AttemptTimedOut') {
        results.push({ commandId: commandMessageId(sagaId, event.step, event.action, event.attempt), status: 'TIMED_OUT' });
      }
      for (const effect of effects) {
        switch (effect.type) {
          case 'SendCommand': {
            const command: CommandMessage = {
              protocolVersion: PROTOCOL_VERSION,
              messageId: effect.commandId,
              sagaId,
              definition: state.definition,
              step: effect.step,
              action: effect.action,
              attempt: effect.attempt,
              commandType: effect.commandType,
              replyTopic: this.topics.replies,
              deadlineAt: toWireTime(effect.deadlineAt),
              payload: effect.payload,
            };
            outbox.push({
              topic: this.topics.commands(effect.participant),
              key: sagaId,
              payload: JSON.stringify(command),
              headers: { 'message-type': 'command', 'protocol-version': String(PROTOCOL_VERSION), 'saga-id': sagaId },
            });
            attempts.push({ sagaId, step: effect.step, action: effect.action, attempt: effect.attempt, commandId: effect.commandId, deadlineAt: new Date(effect.deadlineAt) });
            break;
          }
          case 'ScheduleTimer':
            timerOps.push({ op: 'upsert', timer: toTimerRow(sagaId, effect) });
            break;
          case 'CancelTimer':
            timerOps.push({ op: 'delete', timerId: effect.timerId });
            break;
          case 'EmitLifecycleEvent': {
            const message: LifecycleEventMessage = {
              protocolVersion: PROTOCOL_VERSION,
              eventId: effect.eventId,
              eventType: effect.eventType,
              sagaId,
              definition: { name: definition.name, version: definition.version },
              occurredAt: toWireTime(effect.occurredAt),
            };
            if (effect.step !== undefined) message.step = effect.step;
            if (businessKey !== null) message.businessKey = businessKey;
            if (effect.data !== undefined) message.data = effect.data;
            outbox.push({
              topic: this.topics.events,
              key: sagaId,
              payload: JSON.stringify(message),
              headers: { 'message-type': 'lifecycle-event', 'protocol-version': String(PROTOCOL_VERSION), 'saga-id': sagaId },
            });
            break;
          }
          case 'FinishSaga':
            // Nothing may fire for a finished saga; decide cancels its timers too, this is the backstop.
            timerOps.push({ op: 'delete-saga', sagaId });
            break;
        }
      }
    }

    await recordAttemptResults(client, results);
    await insertAttempts(client, attempts);
    await this.applyTimerOps(client, timerOps);
    await insertOutboxMessages(client, outbox);
  }

  private async applyTimerOps(
    client: PoolClient,
    ops: ({ op: 'upsert'; timer: SagaTimer } | { op: 'delete'; timerId: string } | { op: 'delete-saga'; sagaId: string })[],
  ): Promise<void> {
    // Batch consecutive operations of one kind; order between kinds matters.
    let i = 0;
    while (i < ops.length) {
      const kind = ops[i].op;
      let j = i;
      while (j < ops.length && ops[j].op === kind) j++;
      const run = ops.slice(i, j);
      if (kind === 'upsert') {
        // One statement may not upsert a row twice; the last schedule of an id wins.
        const byId = new Map(run.map((o) => [(o as { timer: SagaTimer }).timer.timerId, (o as { timer: SagaTimer }).timer]));
        await upsertTimers(client, [...byId.values()]);
      }
      else if (kind === 'delete') await deleteTimers(client, run.map((o) => (o as { timerId: string }).timerId));
      else for (const o of run) await deleteTimersOfSaga(client, (o as { sagaId: string }).sagaId);
      i = j;
    }
  }
}

function toTimerRow(sagaId: string, effect: ScheduleTimer): SagaTimer {
  // The payload is the effect itself, which core/timers.timerEvent turns back into an event.
  return { timerId: effect.timerId, sagaId, kind: effect.kind, dueAt: new Date(effect.dueAt), payload: effect };
}
