// The engine: applies events to saga instances, durably. For a batch of events it
// opens ONE transaction that dedupes message ids (inbox), locks the instances (in
// saga_id order, so concurrent batches cannot deadlock), runs the core's pure
// `decide`, and writes the new state, history, outbox messages, timers and attempts.
// Either all of it commits or none of it does; the outbox relay publishes afterwards.
import { Inject, Injectable } from '@nestjs/common';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { decide } from '../core/decide';
import type { Decision } from '../core/decision';
import type { JsonValue } from '@saga-coordinator/participant/protocol';
import type { SagaEvent } from '../core/saga-events';
import { createSagaState, type SagaState } from '../core/saga-state';
import { isTerminalSagaStatus } from '../core/saga-status';
import { PG_POOL } from '../persistence/database.module';
import { recordInboxMessages } from '../persistence/inbox.repository';
import { inTransaction } from '../persistence/queryable';
import { appendHistory } from '../persistence/saga-history.repository';
import { findSagaByIdempotencyKey, insertSagaInstance, lockSagaInstances, SagaInstanceRow, updateSagaInstances } from '../persistence/saga-instance.repository';
import { InvalidSagaInputError, SagaNotFoundError } from './coordinator-errors';
import { EffectWriter } from './effect-writer';
import { RegisteredDefinition, SagaDefinitionService } from './saga-definition.service';

export interface EngineEvent {
  sagaId: string;
  event: SagaEvent;
  /** Who caused it: 'api-key:<name>', 'participant:<step>' (a reply), 'timer', 'start-topic'. Recorded in history. */
  actor: string;
  /** Message id to dedupe on (replies); omitted for events that are not messages. */
  messageId?: string;
}

export type EngineOutcome =
  | { kind: 'applied'; sagaId: string; status: string }
  | { kind: 'ignored'; sagaId: string; code: string; reason: string }
  | { kind: 'rejected'; sagaId: string; code: string; message: string }
  | { kind: 'duplicate'; sagaId: string }
  | { kind: 'unknown-saga'; sagaId: string };

export interface StartSagaRequest {
  definition: string;
  version?: number;
  input: JsonValue;
  businessKey?: string | null;
  idempotencyKey?: string | null;
  actor: string;
}

export interface StartSagaResult {
  saga: SagaInstanceRow;
  created: boolean;
}

/** Time and randomness for `decide`: injectable so tests can pin them. */
export interface EngineClock {
  now(): number;
  random(): number;
}

export const ENGINE_CLOCK = Symbol('ENGINE_CLOCK');
export const systemClock: EngineClock = { now: () => Date.now(), random: () => Math.random() };

@Injectable()
export class SagaEngine {
  private readonly inputValidators = new Map<string, ValidateFunction>();
  private readonly ajv = addFormats(new Ajv({ allErrors: true, strict: false }));

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly definitions: SagaDefinitionService,
    private readonly effects: EffectWriter,
    @Inject(ENGINE_CLOCK) private readonly clock: EngineClock,
  ) {}

  /**
   * Accepts a saga: the instance, its first commands and timers are committed before
   * this returns. With an idempotency key already used, returns that saga instead.
   */
  async start(req: StartSagaRequest): Promise<StartSagaResult> {
    if (req.idempotencyKey) {
      const existing = await findSagaByIdempotencyKey(this.pool, req.idempotencyKey);
      if (existing) return { saga: existing, created: false };
    }
    const def = await this.definitions.get(req.definition, req.version);
    this.checkInput(def, req.input);
    const sagaId = randomUUID();
    const now = this.clock.now();
    const initial = createSagaState({ sagaId, definition: def.normalized, definitionVersion: def.version, input: req.input, now });
    const event: SagaEvent = { type: 'SagaStarted' };
    const decision = decide(initial, def.normalized, event, { now, random: this.clock.random });
    const result = await inTransaction(this.pool, async (client) => {
      const saga = await insertSagaInstance(client, {
        sagaId,
        definitionName: def.name,
        definitionVersion: def.version,
        status: decision.state.status,
        businessKey: req.businessKey ?? null,
        idempotencyKey: req.idempotencyKey ?? null,
        input: req.input,
        state: decision.state,
      });
      if (!saga) return undefined; // the key was taken concurrently; nothing was written
      await this.writeDecisions(client, [{ item: { sagaId, event, actor: req.actor }, before: initial, decision, def, businessKey: req.businessKey ?? null }]);
      return saga;
    });
    if (result) return { saga: result, created: true };
    const winner = await findSagaByIdempotencyKey(this.pool, req.idempotencyKey!);
    if (!winner) throw new Error(`idempotency key ${req.idempotencyKey} conflicted but no saga holds it`);
    return { saga: winner, created: false };
  }

  /** Applies one event; throws SagaNotFoundError for an unknown saga. */
  async apply(item: EngineEvent): Promise<EngineOutcome> {
    const [outcome] = await this.applyBatch([item]);
    if (outcome.kind === 'unknown-saga') throw new SagaNotFoundError(item.sagaId);
    return outcome;
  }

  /** Applies events in order, in one transaction (see the file header). */
  async applyBatch(items: EngineEvent[], extra?: (client: PoolClient) => Promise<void>): Promise<EngineOutcome[]> {
    if (items.length === 0) return [];
    return inTransaction(this.pool, async (client) => {
      const outcomes = await this.applyInTransaction(client, items);
      await extra?.(client);
      return outcomes;
    });
  }

  /** The same as applyBatch, inside a transaction the caller owns (the timer poller's). */
  async applyInTransaction(client: PoolClient, items: EngineEvent[]): Promise<EngineOutcome[]> {
    const withIds = items.filter((i) => i.messageId !== undefined);
    const fresh = await recordInboxMessages(client, withIds.map((i) => ({ messageId: i.messageId!, sagaId: i.sagaId })));
    const locked = await lockSagaInstances(client, [...new Set(items.map((i) => i.sagaId))]);
    const states = new Map<string, SagaState>();
    const decided: DecidedEvent[] = [];
    const outcomes: EngineOutcome[] = [];
    const seenIds = new Set<string>();

    for (const item of items) {
      if (item.messageId !== undefined) {
        // A duplicate is an id already in the inbox, or repeated within this batch.
        if (!fresh.has(item.messageId) || seenIds.has(item.messageId)) {
          outcomes.push({ kind: 'duplicate', sagaId: item.sagaId });
          continue;
        }
        seenIds.add(item.messageId);
      }
      const row = locked.get(item.sagaId);
      if (!row) {
        outcomes.push({ kind: 'unknown-saga', sagaId: item.sagaId });
        continue;
      }
      const def = await this.definitions.get(row.definitionName, row.definitionVersion);
      const before = states.get(item.sagaId) ?? (row.state as SagaState);
      const decision = decide(before, def.normalized, item.event, { now: this.clock.now(), random: this.clock.random });
      decided.push({ item, before, decision, def, businessKey: row.businessKey });
      if (decision.rejected) {
        outcomes.push({ kind: 'rejected', sagaId: item.sagaId, code: decision.rejected.code, message: decision.rejected.message });
      } else if (decision.ignored) {
        outcomes.push({ kind: 'ignored', sagaId: item.sagaId, code: decision.ignored.code, reason: decision.ignored.reason });
      } else {
        states.set(item.sagaId, decision.state);
        outcomes.push({ kind: 'applied', sagaId: item.sagaId, status: decision.state.status });
      }
    }

    await updateSagaInstances(
      client,
      [...states].map(([sagaId, state]) => ({
        sagaId,
        expectedRowVersion: locked.get(sagaId)!.rowVersion,
        status: state.status,
        state,
        finished: isTerminalSagaStatus(state.status),
      })),
    );
    await this.writeDecisions(client, decided);
    return outcomes;
  }

  private async writeDecisions(client: PoolClient, decided: DecidedEvent[]): Promise<void> {
    await appendHistory(
      client,
      decided.map(({ item, before, decision }) => ({
        sagaId: item.sagaId,
        eventType: item.event.type,
        event: item.event,
        statusBefore: before.status,
        statusAfter: decision.rejected || decision.ignored ? before.status : decision.state.status,
        ignored: decision.rejected ? `rejected: ${decision.rejected.code}: ${decision.rejected.message}` : decision.ignored ? decision.ignored.reason : null,
        actor: item.actor,
      })),
    );
    await this.effects.write(
      client,
      decided
        .filter(({ decision }) => !decision.rejected && !decision.ignored)
        .map(({ item, decision, def, businessKey }) => ({ event: item.event, state: decision.state, effects: decision.effects, definition: def, businessKey })),
    );
  }

  private checkInput(def: RegisteredDefinition, input: JsonValue): void {
    const schema = def.normalized.inputSchema;
    if (!schema) return;
    const key = `${def.name}@${def.version}`;
    let validate = this.inputValidators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.inputValidators.set(key, validate);
    }
    if (!validate(input)) {
      throw new InvalidSagaInputError(
        def.name,
        (validate.errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? 'is invalid' })),
      );
    }
  }
}

interface DecidedEvent {
  item: EngineEvent;
  before: SagaState;
  decision: Decision;
  def: RegisteredDefinition;
  businessKey: string | null;
}
