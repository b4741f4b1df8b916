// Reading sagas for the API: one saga in full (from one database snapshot), and
// filtered pages of summaries.
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { SagaNotFoundError } from '../../coordinator/coordinator-errors';
import { SagaDefinitionService } from '../../coordinator/saga-definition.service';
import { TimerGate } from '../../coordinator/timer-gate';
import { PG_POOL } from '../../persistence/database.module';
import { inReadSnapshot } from '../../persistence/read-snapshot';
import { readHistory } from '../../persistence/saga-history.repository';
import { listSagaInstances, SagaListFilter, SagaListPosition, SagaSummaryRow } from '../../persistence/saga-instance-query.repository';
import { findSagaInstance } from '../../persistence/saga-instance.repository';
import { listAttempts } from '../../persistence/step-attempt.repository';
import { RequestValidationError } from '../errors/api-errors';
import type { ListSagasQuery, SagaFilterFields } from './list-sagas.query';
import { decodeCursor, encodeCursor } from './saga-list-cursor';
import type { SagaDetailDto, SagaPageDto } from './saga-view.dto';
import { sagaDetail, sagaSummary } from './saga-views';

export const DEFAULT_PAGE_SIZE = 50;

export function toListFilter(q: SagaFilterFields & { sagaIds?: string[] }): SagaListFilter {
  return { definition: q.definition, statuses: q.status, businessKey: q.businessKey, idempotencyKey: q.idempotencyKey, sagaIds: q.sagaIds, createdFrom: q.createdFrom, createdTo: q.createdTo };
}

/** The position in a client's cursor; a cursor this API did not issue is a 400 naming the field. */
export function cursorPosition(cursor: string | undefined, field = 'cursor'): SagaListPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor);
  if (!position) throw new RequestValidationError([{ field, message: `${field} is not a cursor returned by this API (use nextCursor of the previous page)` }]);
  return position;
}

@Injectable()
export class SagaQueryService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly definitions: SagaDefinitionService,
    private readonly gate: TimerGate,
  ) {}

  async get(sagaId: string): Promise<SagaDetailDto> {
    const read = await inReadSnapshot(this.pool, async (client) => {
      const row = await findSagaInstance(client, sagaId);
      if (!row) return undefined;
      const attempts = await listAttempts(client, sagaId);
      const history = await readHistory(client, sagaId);
      return { row, attempts, history };
    });
    if (!read) throw new SagaNotFoundError(sagaId);
    const def = await this.definitions.get(read.row.definitionName, read.row.definitionVersion);
    const now = Date.now();
    return sagaDetail(read.row, def.normalized, read.attempts, read.history, (participant) => this.gate.holdReason(participant, now));
  }

  async list(q: ListSagasQuery): Promise<SagaPageDto> {
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const { rows, next } = await this.page(toListFilter(q), cursorPosition(q.cursor), limit);
    return { items: rows.map(sagaSummary), nextCursor: next ? encodeCursor(next) : null };
  }

  /** One page, and the position to continue from when there may be more. */
  async page(filter: SagaListFilter, after: SagaListPosition | undefined, limit: number): Promise<{ rows: SagaSummaryRow[]; next: SagaListPosition | undefined }> {
    // One row more than asked tells whether another page exists, without a count.
    const rows = await listSagaInstances(this.pool, filter, after, limit + 1);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return { rows: page, next: more ? page[page.length - 1].position : undefined };
  }
}
