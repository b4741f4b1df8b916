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
  traceContext: string | null;
  /** Set while the saga is quarantined: the engine could not decide an event for it. */
  quarantine: unknown;
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
  trace_context: string | null;
  quarantine: unknown;
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
  traceContext: r.trace_context,
  quarantine: r.quarantine ?? null,
});

export async function findSagaByIdempotencyKey(db: Queryable, key: string): Promise<SagaInstanceRow | undefined> {
  const res = await db.query<Row>('select * from saga_instances where idempotency_key = $1', [key]);
  return res.rows[0] ? toSagaInstance(res.rows[0]) : undefined;
}

export async function findSagasByIdempotencyKeys(db: Queryable, keys: string[]): Promise<SagaInstanceRow[]> {
  if (keys.length === 0) return [];
  const res = await db.query<Row>('select * from saga_instances where idempotency_key = any($1::text[])', [keys]);
  return res.rows.map(toSagaInstance);
}

export async function findSagaInstance(db: Queryable, sagaId: string): Promise<SagaInstanceRow | undefined> {
  const res = await db.query<Row>('select * from saga_instances where saga_id = $1', [sagaId]);
  return res.rows[0] ? toSagaInstance(res.rows[0]) : undefined;
}

export interface NewSagaInstance {
  sagaId: string;
  definitionName: string;
  definitionVersion: number;
  status: string;
  businessKey: string | null;
  idempotencyKey: string | null;
  input: unknown;
  state: unknown;
  /** Epoch ms, or null. */
  nextDueAt: number | null;
  nextDueParticipant: string | null;
  traceContext: string | null;
}

/**
 * Inserts new instances in one statement; an idempotency key already taken (by an
 * earlier saga, or by an earlier row of this very list) inserts nothing. Returns the
 * ids that were inserted.
 */
export async function insertSagaInstances(db: Queryable, sagas: NewSagaInstance[]): Promise<Set<string>> {
  if (sagas.length === 0) return new Set();
  const res = await db.query<{ saga_id: string }>({
    name: 'insert-saga-instances',
    text: `insert into saga_instances (saga_id, definition_name, definition_version, status, business_key, idempotency_key, input, state, next_due_at, next_due_participant, trace_context)
     select saga_id, definition_name, definition_version, status, business_key, idempotency_key, input, state,
            to_timestamp(next_due_ms / 1000.0), next_due_participant, trace_context
       from json_to_recordset($1::json) as t(saga_id uuid, definition_name text, definition_version int, status text, business_key text,
                                             idempotency_key text, input jsonb, state jsonb, next_due_ms double precision, next_due_participant text, trace_context text)
     on conflict (idempotency_key) do nothing
     returning saga_id`,
    values: [
      JSON.stringify(
        sagas.map((s) => ({
          saga_id: s.sagaId,
          definition_name: s.definitionName,
          definition_version: s.definitionVersion,
          status: s.status,
          business_key: s.businessKey,
          idempotency_key: s.idempotencyKey,
          input: s.input,
          state: s.state,
          next_due_ms: s.nextDueAt,
          next_due_participant: s.nextDueParticipant,
          trace_context: s.traceContext,
        })),
      ),
    ],
  });
  return new Set(res.rows.map((r) => r.saga_id));
}

/** What the engine needs of an instance it is about to advance. `state` is raw JSON: read it with readSagaState. */
export interface LockedSaga {
  sagaId: string;
  definitionName: string;
  definitionVersion: number;
  businessKey: string | null;
  idempotencyKey: string | null;
  state: unknown;
  rowVersion: number;
  quarantine: unknown;
  traceContext: string | null;
}

interface LockedRow {
  saga_id: string;
  definition_name: string;
  definition_version: number;
  business_key: string | null;
  idempotency_key: string | null;
  state: unknown;
  row_version: string;
  quarantine: unknown;
  trace_context: string | null;
}

const LOCKED_COLUMNS = 'saga_id, definition_name, definition_version, business_key, idempotency_key, state, row_version, quarantine, trace_context';
const toLocked = (r: LockedRow): LockedSaga => ({
  sagaId: r.saga_id,
  definitionName: r.definition_name,
  definitionVersion: r.definition_version,
  businessKey: r.business_key,
  idempotencyKey: r.idempotency_key,
  state: r.state,
  rowVersion: Number(r.row_version),
  quarantine: r.quarantine,
  traceContext: r.trace_context,
});

/**
 * Locks the given instances for the rest of the transaction, always in saga_id order
 * so that two transactions locking overlapping sets cannot deadlock.
 */
export async function lockSagaInstances(db: Queryable, sagaIds: string[]): Promise<Map<string, LockedSaga>> {
  if (sagaIds.length === 0) return new Map();
  const res = await db.query<LockedRow>(`select ${LOCKED_COLUMNS} from saga_instances where saga_id = any($1::uuid[]) order by saga_id for update`, [sagaIds]);
  return new Map(res.rows.map((r) => [r.saga_id, toLocked(r)]));
}

/**
 * Locks up to `limit` sagas whose next timer is due at or before `horizon` (epoch ms),
 * skipping sagas another transaction holds (it is advancing them, or another replica
 * is firing their timers) and sagas whose next timer waits on a held-back participant.
 * Never waits for a lock, so it cannot deadlock against transactions that lock sagas
 * in saga_id order.
 */
export async function lockDueSagas(db: Queryable, horizon: number, heldBack: string[], limit: number): Promise<LockedSaga[]> {
  const res = await db.query<LockedRow>({
    name: 'lock-due-sagas',
    text: `select ${LOCKED_COLUMNS} from saga_instances
      where next_due_at <= to_timestamp($1 / 1000.0) and quarantine is null
        and (next_due_participant is null or not (next_due_participant = any($2::text[])))
      order by next_due_at
      limit $3
      for update skip locked`,
    values: [horizon, heldBack, limit],
  });
  return res.rows.map(toLocked);
}

/** When the earliest timer of any saga that can fire is due (epoch ms), or null. */
export async function earliestDueAt(db: Queryable): Promise<number | null> {
  const res = await db.query<{ due: string | null }>({
    name: 'earliest-due',
    text: 'select (extract(epoch from min(next_due_at)) * 1000)::float8::text as due from saga_instances where next_due_at is not null and quarantine is null',
  });
  return res.rows[0]?.due == null ? null : Number(res.rows[0].due);
}

/**
 * The first statement of an engine transaction that applies replies and operator events,
 * in one round trip: records the reply ids in the inbox (sorted, see inbox.repository.ts)
 * and locks the instances the events name, in saga_id order. Returns the ids that were
 * new and the locked instances.
 */
export async function recordRepliesAndLockSagas(
  db: Queryable,
  messages: { messageId: string; sagaId: string }[],
  sagaIds: string[],
): Promise<{ fresh: Set<string>; locked: Map<string, LockedSaga> }> {
  const sorted = [...messages].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
  const res = await db.query<{ fresh: string[]; sagas: LockedRow[] }>({
    name: 'replies-and-locks',
    text: `with fresh as (
       insert into inbox (message_id, saga_id)
       select message_id, saga_id from json_to_recordset($1::json) as t(message_id text, saga_id uuid)
       on conflict (message_id) do nothing
       returning message_id),
     -- "(select count(*) from fresh) >= 0" makes the inbox insert run first (an InitPlan), so every transaction
     -- takes inbox rows before saga locks, in the same order: two replicas applying one redelivered reply cannot deadlock.
     locked as (select ${LOCKED_COLUMNS} from saga_instances where saga_id = any($2::uuid[]) and (select count(*) from fresh) >= 0 order by saga_id for update)
     select (select coalesce(json_agg(message_id), '[]'::json) from fresh) as fresh,
            (select coalesce(json_agg(locked), '[]'::json) from locked) as sagas`,
    values: [JSON.stringify(sorted.map((m) => ({ message_id: m.messageId, saga_id: m.sagaId }))), sagaIds],
  });
  const row = res.rows[0];
  return { fresh: new Set(row.fresh), locked: new Map(row.sagas.map((r) => [r.saga_id, toLocked(r)])) };
}
