// Saga instances: one row per run. `state` holds the core's SagaState; `status` and
// the other columns are copies kept for listing and filtering. Every update checks
// `row_version`, so two replicas can never both advance one saga from the same state.
import type { Queryable } from './queryable';

export interface SagaInstanceRow {
  sagaId: string;
  definitionName: string;
  definitionVersion: number;
  status: string;
  businessKey: string | null;
  idempotencyKey: string | null;
  input: unknown;
  state: unknown;
  rowVersion: number;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

interface Row {
  saga_id: string;
  definition_name: string;
  definition_version: number;
  status: string;
  business_key: string | null;
  idempotency_key: string | null;
  input: unknown;
  state: unknown;
  row_version: string;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const toSagaInstance = (r: Row): SagaInstanceRow => ({
  sagaId: r.saga_id,
  definitionName: r.definition_name,
  definitionVersion: r.definition_version,
  status: r.status,
  businessKey: r.business_key,
  idempotencyKey: r.idempotency_key,
  input: r.input,
  state: r.state,
  rowVersion: Number(r.row_version),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

export class ConcurrentUpdateError extends Error {
  readonly code = 'CONCURRENT_UPDATE';
  readonly retriable = true;
  constructor(readonly sagaId: string) {
    super(`saga ${sagaId} was changed by another transaction`);
    this.name = 'ConcurrentUpdateError';
  }
}

/** Inserts a new instance; with an idempotency key already used, inserts nothing and returns undefined. */
export async function insertSagaInstance(
  db: Queryable,
  s: { sagaId: string; definitionName: string; definitionVersion: number; status: string; businessKey?: string | null; idempotencyKey?: string | null; input: unknown; state: unknown },
): Promise<SagaInstanceRow | undefined> {
  const res = await db.query<Row>(
    `insert into saga_instances (saga_id, definition_name, definition_version, status, business_key, idempotency_key, input, state)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (idempotency_key) do nothing
     returning *`,
    [s.sagaId, s.definitionName, s.definitionVersion, s.status, s.businessKey ?? null, s.idempotencyKey ?? null, JSON.stringify(s.input), JSON.stringify(s.state)],
  );
  return res.rows[0] ? toSagaInstance(res.rows[0]) : undefined;
}

export async function findSagaByIdempotencyKey(db: Queryable, key: string): Promise<SagaInstanceRow | undefined> {
  const res = await db.query<Row>('select * from saga_instances where idempotency_key = $1', [key]);
  return res.rows[0] ? toSagaInstance(res.rows[0]) : undefined;
}

export async function findSagaInstance(db: Queryable, sagaId: string): Promise<SagaInstanceRow | undefined> {
  const res = await db.query<Row>('select * from saga_instances where saga_id = $1', [sagaId]);
  return res.rows[0] ? toSagaInstance(res.rows[0]) : undefined;
}

/**
 * Locks the given instances for the rest of the transaction, always in saga_id order
 * so that two transactions locking overlapping sets cannot deadlock.
 */
export async function lockSagaInstances(db: Queryable, sagaIds: string[]): Promise<Map<string, SagaInstanceRow>> {
  if (sagaIds.length === 0) return new Map();
  const res = await db.query<Row>('select * from saga_instances where saga_id = any($1::uuid[]) order by saga_id for update', [sagaIds]);
  return new Map(res.rows.map((r) => [r.saga_id, toSagaInstance(r)]));
}

export interface SagaInstanceUpdate {
  sagaId: string;
  expectedRowVersion: number;
  status: string;
  state: unknown;
  finished: boolean;
}

/** Updates many instances in one statement; throws ConcurrentUpdateError if any row_version moved. */
export async function updateSagaInstances(db: Queryable, updates: SagaInstanceUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const res = await db.query<{ saga_id: string }>(
    `update saga_instances s
        set status = u.status, state = u.state, row_version = s.row_version + 1, updated_at = now(),
            finished_at = case when u.finished then coalesce(s.finished_at, now()) else null end
       from unnest($1::uuid[], $2::bigint[], $3::text[], $4::jsonb[], $5::boolean[]) as u(saga_id, expected, status, state, finished)
      where s.saga_id = u.saga_id and s.row_version = u.expected
      returning s.saga_id`,
    [updates.map((u) => u.sagaId), updates.map((u) => u.expectedRowVersion), updates.map((u) => u.status), updates.map((u) => JSON.stringify(u.state)), updates.map((u) => u.finished)],
  );
  if (res.rowCount !== updates.length) {
    const done = new Set(res.rows.map((r) => r.saga_id));
    throw new ConcurrentUpdateError(updates.find((u) => !done.has(u.sagaId))!.sagaId);
  }
}


/**
 * Locks whichever of the instances no other transaction holds, and skips the rest.
 * For work that already holds other locks (claimed timers) and so must never wait.
 */
export async function lockSagaInstancesSkipLocked(db: Queryable, sagaIds: string[]): Promise<Set<string>> {
  if (sagaIds.length === 0) return new Set();
  const res = await db.query<{ saga_id: string }>('select saga_id from saga_instances where saga_id = any($1::uuid[]) for update skip locked', [sagaIds]);
  return new Set(res.rows.map((r) => r.saga_id));
}
