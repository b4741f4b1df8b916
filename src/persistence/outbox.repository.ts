// Outbox batches: every Kafka message one engine transaction caused, in one row written
// by that transaction (see engine-writes.ts). The process that committed it publishes it
// from memory right away and deletes the row afterwards; a row still here after a grace
// period was left by a process that died or could not reach Kafka, and the relay
// publishes it from here. Either way a message goes out at least once.
import type { Queryable } from './queryable';

export interface OutboxMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface OutboxBatch {
  id: string;
  messages: OutboxMessage[];
}

/**
 * Locks up to `limit` batches older than `graceMs`, oldest first, skipping batches
 * another relay holds. Call inside the transaction that publishes and deletes them.
 */
export async function lockStaleOutboxBatches(db: Queryable, graceMs: number, limit: number): Promise<OutboxBatch[]> {
  const res = await db.query<{ id: string; messages: string }>(
    `select id::text, messages from outbox_batches
      where created_at < now() - make_interval(secs => $1 / 1000.0)
      order by id limit $2 for update skip locked`,
    [graceMs, limit],
  );
  return res.rows.map((r) => ({ id: r.id, messages: JSON.parse(r.messages) as OutboxMessage[] }));
}

export async function deleteOutboxBatches(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('delete from outbox_batches where id = any($1::bigint[])', [ids]);
}

export interface OutboxBacklog {
  batches: number;
  messages: number;
  /** Age of the oldest unpublished batch in seconds, 0 when empty. */
  oldestAgeSeconds: number;
}

export async function outboxBacklog(db: Queryable): Promise<OutboxBacklog> {
  const res = await db.query<{ batches: number; messages: number; oldest: number }>(
    `select count(*)::int as batches, coalesce(sum(message_count), 0)::int as messages,
            coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest
       from outbox_batches`,
  );
  const r = res.rows[0];
  return { batches: r.batches, messages: r.messages, oldestAgeSeconds: r.oldest };
}
