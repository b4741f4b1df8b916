// History: an append-only record of every event decided for a saga — applied or
// ignored (with the reason) — and of who asked for it.
import type { Queryable } from './queryable';

export interface HistoryEntry {
  sagaId: string;
  eventType: string;
  event: unknown;
  statusBefore: string | null;
  statusAfter: string | null;
  ignored: string | null;
  actor: string | null;
}

export interface StoredHistoryEntry extends HistoryEntry {
  id: string;
  occurredAt: Date;
}

export async function appendHistory(db: Queryable, entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `insert into saga_history (saga_id, event_type, event, status_before, status_after, ignored, actor)
     select * from unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    [
      entries.map((e) => e.sagaId),
      entries.map((e) => e.eventType),
      entries.map((e) => JSON.stringify(e.event)),
      entries.map((e) => e.statusBefore),
      entries.map((e) => e.statusAfter),
      entries.map((e) => e.ignored),
      entries.map((e) => e.actor),
    ],
  );
}

export async function readHistory(db: Queryable, sagaId: string): Promise<StoredHistoryEntry[]> {
  const res = await db.query<{ id: string; saga_id: string; event_type: string; event: unknown; status_before: string | null; status_after: string | null; ignored: string | null; actor: string | null; occurred_at: Date }>(
    'select * from saga_history where saga_id = $1 order by id',
    [sagaId],
  );
  return res.rows.map((r) => ({
    id: r.id,
    sagaId: r.saga_id,
    eventType: r.event_type,
    event: r.event,
    statusBefore: r.status_before,
    statusAfter: r.status_after,
    ignored: r.ignored,
    actor: r.actor,
    occurredAt: r.occurred_at,
  }));
}
