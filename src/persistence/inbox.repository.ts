// Inbox: ids of reply messages already applied. Inserted in the transaction that applies
// the message, so a redelivered message finds its id and changes nothing. Ids are
// inserted in sorted order: two replicas applying overlapping batches (during a
// rebalance) then wait for each other's rows in the same order and cannot deadlock.
//
// Retention: a message is redelivered only when its offset was not committed, which
// happens within seconds of applying it (offsets are committed right after the database
// commit). Rows older than the retention (INBOX_RETENTION_SECONDS, one hour by default)
// are pruned; behind the inbox, decide itself ignores a reply whose attempt was settled.
import type { Queryable } from './queryable';

/** Records the ids; returns the ones that were new (the others were applied before). */
export async function recordInboxMessages(db: Queryable, messages: { messageId: string; sagaId: string | null }[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const sorted = [...messages].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
  const res = await db.query<{ message_id: string }>(
    `insert into inbox (message_id, saga_id)
     select message_id, saga_id from json_to_recordset($1::json) as t(message_id text, saga_id uuid)
     on conflict (message_id) do nothing
     returning message_id`,
    [JSON.stringify(sorted.map((m) => ({ message_id: m.messageId, saga_id: m.sagaId })))],
  );
  return new Set(res.rows.map((r) => r.message_id));
}

/** Deletes up to `limit` ids older than the retention; returns how many. */
export async function pruneInbox(db: Queryable, retentionSeconds: number, limit: number): Promise<number> {
  const res = await db.query(
    `delete from inbox where ctid = any(array(
       select ctid from inbox where received_at < now() - make_interval(secs => $1) limit $2))`,
    [retentionSeconds, limit],
  );
  return res.rowCount ?? 0;
}
