// Reads the dead_letters table (written by the engine's statement, engine-writes.ts):
// the latest messages the coordinator could not use, newest first.
import type { DeadLetterRow as WrittenDeadLetter } from './engine-writes';
import type { Queryable } from './queryable';

/** A dead letter as stored: what the engine wrote, with its id and time. */
export interface DeadLetterRow extends WrittenDeadLetter {
  id: string;
  deadLetteredAt: Date;
}

/** The `limit` newest dead letters, optionally only those of one reason code. */
export async function listRecentDeadLetters(db: Queryable, limit: number, reasonCode?: string): Promise<DeadLetterRow[]> {
  const res = await db.query<DeadLetterRow>(
    `select id::text, dead_lettered_at as "deadLetteredAt", reason_code as "reasonCode", reason, by_component as "by",
            source_topic as "sourceTopic", source_partition as "sourcePartition", source_offset as "sourceOffset",
            message_key as "key", value_excerpt as "valueExcerpt", value_bytes as "valueBytes"
       from dead_letters
      where ($2::text is null or reason_code = $2)
      order by dead_lettered_at desc, id desc
      limit $1`,
    [limit, reasonCode ?? null],
  );
  return res.rows;
}
