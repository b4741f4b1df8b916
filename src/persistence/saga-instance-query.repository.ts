// Listing saga instances for people: filtered, newest first, in pages.
//
// Pagination is keyset, on (created_at, saga_id): a page is "the next `limit` rows
// strictly after the last row of the previous page" in one total order, so sagas
// created while a client pages never shift, repeat or hide the rows it has not seen
// yet (an OFFSET would). The cursor carries created_at as text with microseconds:
// a JavaScript Date keeps milliseconds only, and a truncated cursor would skip or
// repeat rows created within the same millisecond.
import type { Queryable } from './queryable';

export interface SagaListFilter {
  definition?: string;
  statuses?: string[];
  businessKey?: string;
  idempotencyKey?: string;
  sagaIds?: string[];
  /** Inclusive, ISO-8601. */
  createdFrom?: string;
  /** Exclusive, ISO-8601. */
  createdTo?: string;
}

export interface SagaListPosition {
  /** created_at as exact UTC text: YYYY-MM-DDTHH:MM:SS.ffffffZ. */
  createdAt: string;
  sagaId: string;
}

export interface SagaSummaryRow {
  sagaId: string;
  definitionName: string;
  definitionVersion: number;
  status: string;
  businessKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  position: SagaListPosition;
}

interface Row {
  saga_id: string;
  definition_name: string;
  definition_version: number;
  status: string;
  business_key: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  position_created_at: string;
}

/** The listing query, as a pure function of its inputs (unit-tested as SQL text). */
export function listSagasQuery(filter: SagaListFilter, after: SagaListPosition | undefined, limit: number): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (filter.definition !== undefined) where.push(`definition_name = ${param(filter.definition)}`);
  if (filter.statuses !== undefined && filter.statuses.length > 0) where.push(`status = any(${param(filter.statuses)}::text[])`);
  if (filter.businessKey !== undefined) where.push(`business_key = ${param(filter.businessKey)}`);
  if (filter.idempotencyKey !== undefined) where.push(`idempotency_key = ${param(filter.idempotencyKey)}`);
  if (filter.sagaIds !== undefined) where.push(`saga_id = any(${param(filter.sagaIds)}::uuid[])`);
  if (filter.createdFrom !== undefined) where.push(`created_at >= ${param(filter.createdFrom)}::timestamptz`);
  if (filter.createdTo !== undefined) where.push(`created_at < ${param(filter.createdTo)}::timestamptz`);
  if (after !== undefined) where.push(`(created_at, saga_id) < (${param(after.createdAt)}::timestamptz, ${param(after.sagaId)}::uuid)`);
  const text = [
    `select saga_id, definition_name, definition_version, status, business_key, created_at, updated_at, finished_at,`,
    `       to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position_created_at`,
    `  from saga_instances`,
    where.length > 0 ? ` where ${where.join('\n   and ')}` : '',
    ` order by created_at desc, saga_id desc`,
    ` limit ${param(limit)}`,
  ]
    .filter((l) => l !== '')
    .join('\n');
  return { text, values };
}

/** Up to `limit` instances matching the filter, newest first, strictly after `after`. */
export async function listSagaInstances(db: Queryable, filter: SagaListFilter, after: SagaListPosition | undefined, limit: number): Promise<SagaSummaryRow[]> {
  const { text, values } = listSagasQuery(filter, after, limit);
  const res = await db.query<Row>(text, values);
  return res.rows.map((r) => ({
    sagaId: r.saga_id,
    definitionName: r.definition_name,
    definitionVersion: r.definition_version,
    status: r.status,
    businessKey: r.business_key,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    position: { createdAt: r.position_created_at, sagaId: r.saga_id },
  }));
}
