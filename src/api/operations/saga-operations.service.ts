// Operator actions on sagas — cancel, retry, resume, override — one saga at a time or
// over a filter. Each becomes a core event applied by the engine, which records it in
// the saga's history with the caller as actor and the reason in the event. Bulk
// actions apply each saga in its own transaction (one refused saga does not undo the
// others); a dry run asks the core what would happen, without writing anything.
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { OperationRejectedError, SagaNotFoundError } from '../../coordinator/coordinator-errors';
import { SagaEngine } from '../../coordinator/saga-engine';
import { PG_POOL } from '../../persistence/database.module';
import { findSagaInstance, type SagaInstanceRow } from '../../persistence/saga-instance.repository';
import type { Principal } from '../auth/principal';
import { RequestValidationError } from '../errors/api-errors';
import { cursorPosition, SagaQueryService, toListFilter } from '../sagas/saga-query.service';
import { encodeCursor } from '../sagas/saga-list-cursor';
import { sagaSummary } from '../sagas/saga-views';
import type { BulkOperationBody, BulkOperationResultDto, BulkSagaResultDto } from './bulk-operation.dto';
import type { OperationResultDto } from './operation.dto';
import { OperationRequest, operationVerdict, operatorEvent } from './operation-verdict';

export const DEFAULT_BULK_LIMIT = 100;

@Injectable()
export class SagaOperationsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly engine: SagaEngine,
    private readonly queries: SagaQueryService,
  ) {}

  /** Applies one action; a refusal throws OperationRejectedError (409 with the core's code). */
  async perform(sagaId: string, req: OperationRequest, principal: Principal): Promise<OperationResultDto> {
    checkRequest(req);
    const { verdict, after } = await this.apply(sagaId, req, principal);
    if (verdict.result === 'refused') throw new OperationRejectedError(verdict.code, verdict.detail, { sagaId, step: req.step });
    return { sagaId, operation: req.operation, result: verdict.result, detail: verdict.result === 'no-op' ? verdict.detail : null, saga: sagaSummary(after) };
  }

  async bulk(body: BulkOperationBody, principal: Principal): Promise<BulkOperationResultDto> {
    const req: OperationRequest = { operation: body.operation, reason: body.reason, step: body.step };
    checkRequest(req);
    const filter = toListFilter(body.filter);
    if (Object.values(filter).every((v) => v === undefined)) {
      throw new RequestValidationError([{ field: 'filter', message: 'filter must name at least one of definition, status, businessKey, sagaIds, createdFrom, createdTo' }]);
    }
    const dryRun = body.dryRun ?? false;
    const { rows, next } = await this.queries.page(filter, cursorPosition(body.cursor), body.limit ?? DEFAULT_BULK_LIMIT);
    const results: BulkSagaResultDto[] = [];
    for (const row of rows) {
      const { verdict, before, after } = dryRun ? await this.predict(row.sagaId, req, principal) : await this.apply(row.sagaId, req, principal);
      results.push({
        sagaId: row.sagaId,
        definition: { name: row.definitionName, version: row.definitionVersion },
        statusBefore: before,
        result: verdict.result === 'applied' && dryRun ? 'would-apply' : verdict.result,
        code: verdict.result === 'refused' ? verdict.code : null,
        detail: verdict.result === 'applied' ? null : verdict.detail,
        statusAfter: after.status,
      });
    }
    const count = (r: BulkSagaResultDto['result']) => results.filter((x) => x.result === r).length;
    return {
      operation: body.operation,
      dryRun,
      matched: results.length,
      counts: { applied: count('applied'), wouldApply: count('would-apply'), noOp: count('no-op'), refused: count('refused') },
      results,
      nextCursor: next ? encodeCursor(next) : null,
    };
  }

  private async apply(sagaId: string, req: OperationRequest, principal: Principal) {
    const verdict = await this.engine.apply({ sagaId, event: operatorEvent(req, principal.name), actor: principal.actor });
    const after = await this.load(sagaId);
    const before = verdict.kind === 'applied' ? verdict.statusBefore : after.status;
    return { verdict: operationVerdict(verdict), before, after };
  }

  /** What the action would do, decided by the engine on one snapshot with its clock; nothing is written. */
  private async predict(sagaId: string, req: OperationRequest, principal: Principal) {
    const { row, before, decision } = await this.engine.preview(sagaId, operatorEvent(req, principal.name));
    return { verdict: operationVerdict(decision.verdict), before: before.status, after: { ...row, status: decision.state.status } };
  }

  private async load(sagaId: string): Promise<SagaInstanceRow> {
    const row = await findSagaInstance(this.pool, sagaId);
    if (!row) throw new SagaNotFoundError(sagaId);
    return row;
  }
}

function checkRequest(req: OperationRequest): void {
  if (req.step !== undefined && req.operation !== 'retry' && req.operation !== 'override') {
    throw new RequestValidationError([{ field: 'step', message: `step is only allowed with retry, not with ${req.operation}` }]);
  }
  if (req.operation === 'override' && req.as === 'compensated' && req.output !== undefined) {
    throw new RequestValidationError([{ field: 'output', message: 'output is only allowed with as=succeeded' }]);
  }
}
