// Inbox: ids of messages already applied. Inserted in the transaction that applies
// the message, so a redelivered message finds its id and changes nothing.
import type { Queryable } from './queryable';

/** Records the ids; returns the ones that were new (the others were applied before). */
export async function recordInboxMessages(db: Queryable, messages: { messageId: string; sagaId: string | null }[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const res = await db.query<{ message_id: string }>(
    `insert into inbox (message_id, saga_id)
     select * from unnest($1::text[], $2::uuid[])
     on conflict (message_id) do nothing
     returning message_id`,
    [messages.map((m) => m.messageId), messages.map((m) => m.sagaId)],
  );
  return new Set(res.rows.map((r) => r.message_id));
}
