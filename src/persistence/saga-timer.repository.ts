// Timers: attempt timeouts, backoffs and saga deadlines as rows due at a database time.
// They survive restarts; a due timer is claimed with SKIP LOCKED by one replica and
// deleted in the same transaction that applies it, so it fires once.
import type { Queryable } from './queryable';

export interface SagaTimer {
  timerId: string;
  sagaId: string;
  kind: string;
  dueAt: Date;
  payload: unknown;
}

export async function upsertTimers(db: Queryable, timers: SagaTimer[]): Promise<void> {
  if (timers.length === 0) return;
  await db.query(
    `insert into saga_timers (timer_id, saga_id, kind, due_at, payload)
     select * from unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::jsonb[])
     on conflict (timer_id) do update set due_at = excluded.due_at, payload = excluded.payload, kind = excluded.kind`,
    [timers.map((t) => t.timerId), timers.map((t) => t.sagaId), timers.map((t) => t.kind), timers.map((t) => t.dueAt), timers.map((t) => JSON.stringify(t.payload))],
  );
}

export async function deleteTimers(db: Queryable, timerIds: string[]): Promise<void> {
  if (timerIds.length === 0) return;
  await db.query('delete from saga_timers where timer_id = any($1::text[])', [timerIds]);
}

export async function deleteTimersOfSaga(db: Queryable, sagaId: string): Promise<void> {
  await db.query('delete from saga_timers where saga_id = $1', [sagaId]);
}

/** Due timers, oldest first; call inside the transaction that applies and deletes them. */
export async function claimDueTimers(db: Queryable, limit: number): Promise<SagaTimer[]> {
  const res = await db.query<{ timer_id: string; saga_id: string; kind: string; due_at: Date; payload: unknown }>(
    `select timer_id, saga_id, kind, due_at, payload from saga_timers
      where due_at <= now() order by due_at limit $1 for update skip locked`,
    [limit],
  );
  return res.rows.map((r) => ({ timerId: r.timer_id, sagaId: r.saga_id, kind: r.kind, dueAt: r.due_at, payload: r.payload }));
}
