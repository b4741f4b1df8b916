// History: an append-only record of every event decided for a saga — its verdict
// (applied, ignored, rejected, quarantined) with the core's code and reason — and of who
// asked for it. Rows are written by the engine's one statement (engine-writes.ts).
import type { Queryable } from './queryable';

export interface StoredHistoryEntry {
  id: string;
  sagaId: string;
  eventType: string;
  event: unknown;
  statusBefore: string | null;
  statusAfter: string | null;
  verdict: 'applied' | 'ignored' | 'rejected' | 'quarantined';
  verdictCode: string | null;
  verdictReason: string | null;
  actor: string | null;
  occurredAt: Date;
}

interface Row {
  id: string;
  saga_id: string;
  event_type: string;
  event: unknown;
  status_before: string | null;
  status_after: string | null;
  verdict: StoredHistoryEntry['verdict'];
  verdict_code: string | null;
  verdict_reason: string | null;
  actor: string | null;
  occurred_at: Date;
}

export async function readHistory(db: Queryable, sagaId: string): Promise<StoredHistoryEntry[]> {
  const res = await db.query<Row>('select * from saga_history where saga_id = $1 order by id', [sagaId]);
  return res.rows.map((r) => ({
    id: r.id,
    sagaId: r.saga_id,
    eventType: r.event_type,
    event: r.event,
    statusBefore: r.status_before,
    statusAfter: r.status_after,
    verdict: r.verdict,
    verdictCode: r.verdict_code,
    verdictReason: r.verdict_reason,
    actor: r.actor,
    occurredAt: r.occurred_at,
  }));
}
