// Inbox: ids of reply messages already applied. Inserted in the transaction that applies
// the message (saga-instance.repository.ts, recordRepliesAndLockSagas), so a redelivered
// message finds its id and changes nothing. Ids are inserted in sorted order: two
// replicas applying overlapping batches (during a rebalance) then wait for each other's
// rows in the same order and cannot deadlock.
//
// Retention: a message is redelivered only when its offset was not committed, which
// happens within seconds of applying it (offsets are committed right after the database
// commit). Rows older than the retention (INBOX_RETENTION_SECONDS, one hour by default)
// are pruned; behind the inbox, decide itself ignores a reply whose attempt was settled.
import type { Queryable } from './queryable';

/** Deletes up to `limit` ids older than the retention; returns how many. */
export async function pruneInbox(db: Queryable, retentionSeconds: number, limit: number): Promise<number> {
  const res = await db.query(
    `delete from inbox where ctid = any(array(
       select ctid from inbox where received_at < now() - make_interval(secs => $1) limit $2))`,
    [retentionSeconds, limit],
  );
  return res.rowCount ?? 0;
}
