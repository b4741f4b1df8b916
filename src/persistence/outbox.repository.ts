// Outbox: messages committed in the same transaction as the state change that caused them.
import type { Queryable } from './queryable';

export interface OutboxMessage {
  topic: string;
  key: string;
  payload: string;
  headers?: Record<string, string>;
}

export interface OutboxRow extends OutboxMessage {
  id: string;
}

export async function insertOutboxMessages(db: Queryable, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `insert into outbox (topic, message_key, payload, headers)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])`,
    [messages.map((m) => m.topic), messages.map((m) => m.key), messages.map((m) => m.payload), messages.map((m) => JSON.stringify(m.headers ?? {}))],
  );
}

/**
 * Claims the oldest unsent rows; SKIP LOCKED lets several relays share the work
 * without waiting on each other. Call inside a transaction held until markOutboxSent.
 */
export async function claimOutboxBatch(db: Queryable, limit: number): Promise<OutboxRow[]> {
  const res = await db.query<{ id: string; topic: string; message_key: string; payload: string; headers: Record<string, string> }>(
    `select id, topic, message_key, payload, headers from outbox
      where sent_at is null order by id limit $1 for update skip locked`,
    [limit],
  );
  return res.rows.map((r) => ({ id: r.id, topic: r.topic, key: r.message_key, payload: r.payload, headers: r.headers }));
}

export async function markOutboxSent(db: Queryable, ids: string[]): Promise<void> {
  await db.query('update outbox set sent_at = now() where id = any($1::bigint[])', [ids]);
}

/** Sent rows are kept a while for inspection, then removed. */
export async function deleteSentOutbox(db: Queryable, olderThanSeconds: number): Promise<number> {
  const res = await db.query(`delete from outbox where sent_at < now() - make_interval(secs => $1)`, [olderThanSeconds]);
  return res.rowCount ?? 0;
}
