// The engine's door for the API and the inbound consumer: starts sagas and applies
// events by handing them to the applier (group commit, see applier.ts) and waiting for
// the commit. A saga is durable — its instance, first commands and timers committed —
// before `start` returns. `preview` answers "what would this event do" for dry runs,
// from one snapshot of the saga and with the engine's clock, writing nothing.
import { Inject, Injectable } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { checkConcurrencyKeyMapping, concurrencyKeyOf, MAX_CONCURRENCY_KEY_LENGTH } from '../core/concurrency';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { decide } from '../core/decide';
import type { Decision } from '../core/decision';
import type { JsonValue } from '@saga-coordinator/participant/protocol';
import type { SagaEvent } from '../core/saga-events';
import type { SagaState } from '../core/saga-state';
import { PG_POOL } from '../persistence/database.module';
import { inReadSnapshot } from '../persistence/read-snapshot';
import { readSagaState } from '../persistence/saga-state.reader';
import { findSagaInstance, type SagaInstanceRow } from '../persistence/saga-instance.repository';
import { Applier, type EngineClock, type EngineEvent, type EventVerdict } from './applier';
import { InvalidSagaInputError, SagaNotFoundError } from './coordinator-errors';
import { ENGINE_HOOKS, type EngineHooks } from './engine-hooks';
import { ENGINE_OPTIONS, type EngineOptions } from './engine-options';
import { compileInputSchema } from './input-schema';
import { RegisteredDefinition, SagaDefinitionService } from './saga-definition.service';

export type { EngineClock, EngineEvent, EventVerdict } from './applier';
export { systemClock } from './applier';

export const ENGINE_CLOCK = Symbol('ENGINE_CLOCK');

export interface StartSagaRequest {
  definition: string;
  version?: number;
  input: JsonValue;
  businessKey?: string | null;
  idempotencyKey?: string | null;
  actor: string;
  /** The initiator's W3C traceparent (HTTP header or start-topic message header), continued by the saga's trace. */
  traceparent?: string | null;
  /** The start request's own concurrency key: a `$.input…` reference or the key itself; overrides the definition's. */
  concurrencyKey?: string | null;
}

export interface StartSagaResult {
  saga: SagaInstanceRow;
  created: boolean;
}

export interface Preview {
  before: SagaState;
  decision: Decision;
}

@Injectable()
export class SagaEngine {
  private readonly inputValidators = new Map<string, ValidateFunction>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly definitions: SagaDefinitionService,
    private readonly applier: Applier,
    @Inject(ENGINE_CLOCK) private readonly clock: EngineClock,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
    @Inject(ENGINE_HOOKS) private readonly hooks: EngineHooks,
  ) {}

  /**
   * Accepts a saga: the instance, its first commands and timers are committed before
   * this returns. With an idempotency key already used, returns that saga instead.
   */
  async start(req: StartSagaRequest): Promise<StartSagaResult> {
    const def = await this.definitions.forStart(req.definition, req.version);
    this.checkInput(def, req.input);
    const sagaId = randomUUID();
    const traceContext = this.hooks.traceContextForStart(req.traceparent ?? null, { sagaId, definition: def.name, version: def.version });
    const concurrencyKey = this.concurrencyKey(def, req);
    const verdict = await this.applier.submitStart(
      { sagaId, definition: def, input: req.input, businessKey: req.businessKey ?? null, idempotencyKey: req.idempotencyKey ?? null, actor: req.actor, traceContext, concurrencyKey },
      // The start topic's requests wait as long as it takes; an API caller gets 503 and retries with its key.
      req.actor === 'start-topic' ? Number.MAX_SAFE_INTEGER : this.options.apiWaitMs,
    );
    return { saga: verdict.saga, created: verdict.created };
  }

  /** Applies one event; throws SagaNotFoundError for an unknown saga. */
  async apply(item: EngineEvent): Promise<EventVerdict> {
    const verdict = await this.applier.submitEvent(item, this.options.apiWaitMs);
    if (verdict.kind === 'unknown-saga') throw new SagaNotFoundError(item.sagaId);
    return verdict;
  }

  /** What `event` would do to the saga now, from one snapshot, with the engine's clock; nothing is written. */
  async preview(sagaId: string, event: SagaEvent): Promise<Preview & { row: SagaInstanceRow }> {
    const row = await inReadSnapshot(this.pool, (client) => findSagaInstance(client, sagaId));
    if (!row) throw new SagaNotFoundError(sagaId);
    const def = await this.definitions.get(row.definitionName, row.definitionVersion);
    const before = readSagaState(row.state, sagaId);
    return { row, before, decision: decide(before, def.normalized, event, { now: this.clock.now(), random: this.clock.random }) };
  }

  /** The key the saga runs under (core/concurrency.ts); a malformed or oversized one refuses the start. */
  private concurrencyKey(def: RegisteredDefinition, req: StartSagaRequest): string | null {
    const mapping = req.concurrencyKey ?? def.normalized.concurrencyKey;
    if (req.concurrencyKey !== undefined && req.concurrencyKey !== null) {
      // The API checks it as a field; a start-topic request is dead-lettered with this reason.
      const problems = checkConcurrencyKeyMapping(req.concurrencyKey, 'concurrencyKey', true);
      if (problems.length > 0) throw new InvalidSagaInputError(def.name, problems.map((p) => ({ path: '', message: `concurrencyKey ${p.message}` })));
    }
    const key = concurrencyKeyOf(mapping, req.input);
    if (key !== null && key.length > MAX_CONCURRENCY_KEY_LENGTH) {
      throw new InvalidSagaInputError(def.name, [{ path: '', message: `concurrencyKey resolves to ${key.length} characters, more than ${MAX_CONCURRENCY_KEY_LENGTH}` }]);
    }
    return key;
  }

  private checkInput(def: RegisteredDefinition, input: JsonValue): void {
    const schema = def.normalized.inputSchema;
    if (!schema) return;
    const key = `${def.name}@${def.version}`;
    let validate = this.inputValidators.get(key);
    if (!validate) {
      validate = compileInputSchema(schema);
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
