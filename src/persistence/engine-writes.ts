// Everything one engine transaction writes, in ONE statement (data-modifying CTEs): the
// instances it advanced, their history, new and ended attempts, the outbox batch of the
// messages they cause, dead letters, and the deletion of outbox batches already
// published. One round trip instead of one per table is what makes group commit cheap
// (see shared/PERF-NOTES.md: per-statement writes dominated the coordinator's CPU).
//
// Each list travels as one JSON parameter read with json_to_recordset: one
// JSON.stringify in Node and one JSON parse in PostgreSQL, instead of an array literal
// per column built and escaped by pg in JavaScript.
import type { Queryable } from './queryable';
import { ConcurrentUpdateError } from '../coordinator/coordinator-errors';

export interface InstanceUpdate {
  sagaId: string;
  expectedRowVersion: number;
  status: string;
  state: unknown;
  finished: boolean;
  nextDueAt: number | null;
  nextDueParticipant: string | null;
  /** Set to quarantine the saga, null to release it, undefined to leave it. */
  quarantine?: unknown;
}

export interface HistoryRow {
  sagaId: string;
  eventType: string;
  event: unknown;
  statusBefore: string | null;
  statusAfter: string | null;
  verdict: 'applied' | 'ignored' | 'rejected' | 'quarantined';
  verdictCode: string | null;
  verdictReason: string | null;
  actor: string;
}

export interface AttemptRow {
  sagaId: string;
  step: string;
  action: string;
  attempt: number;
  commandId: string;
  /** Epoch ms. */
  deadlineAt: number;
}

export interface AttemptResultRow {
  commandId: string;
  status: string;
  output: unknown;
  error: unknown;
}

export interface OutboxMessageRow {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface DeadLetterRow {
  reasonCode: string;
  reason: string;
  by: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  key: string | null;
  valueExcerpt: string | null;
  valueBytes: number;
}

export interface EngineWrites {
  updates: InstanceUpdate[];
  history: HistoryRow[];
  attempts: AttemptRow[];
  attemptResults: AttemptResultRow[];
  /** Becomes one outbox batch row. */
  outbox: OutboxMessageRow[];
  /** Outbox batches already published, to delete. */
  publishedBatchIds: string[];
  deadLetters: DeadLetterRow[];
}

export function emptyWrites(): EngineWrites {
  return { updates: [], history: [], attempts: [], attemptResults: [], outbox: [], publishedBatchIds: [], deadLetters: [] };
}

export function hasWrites(w: EngineWrites): boolean {
  return w.updates.length + w.history.length + w.attempts.length + w.attemptResults.length + w.outbox.length + w.publishedBatchIds.length + w.deadLetters.length > 0;
}

/** The statement, as a pure function of the writes (unit-tested as SQL text and parameters). */
export function engineWritesQuery(w: EngineWrites): { name: string; text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const ctes: string[] = [];
  if (w.updates.length > 0) {
    const rows = w.updates.map((u) => ({
      saga_id: u.sagaId,
      expected: u.expectedRowVersion,
      status: u.status,
      state: u.state,
      finished: u.finished,
      due_ms: u.nextDueAt,
      due_participant: u.nextDueParticipant,
      set_quarantine: u.quarantine !== undefined,
      quarantine: u.quarantine ?? null,
    }));
    ctes.push(`updated as (
    update saga_instances s
       set status = u.status, state = u.state, row_version = s.row_version + 1, updated_at = now(),
           finished_at = case when u.finished then coalesce(s.finished_at, now()) else null end,
           next_due_at = to_timestamp(u.due_ms / 1000.0), next_due_participant = u.due_participant,
           quarantine = case when u.set_quarantine then u.quarantine else s.quarantine end
      from json_to_recordset(${param(JSON.stringify(rows))}::json)
           as u(saga_id uuid, expected bigint, status text, state jsonb, finished boolean, due_ms double precision, due_participant text, set_quarantine boolean, quarantine jsonb)
     where s.saga_id = u.saga_id and s.row_version = u.expected
    returning s.saga_id)`);
  }
  if (w.history.length > 0) {
    const rows = w.history.map((h) => ({
      saga_id: h.sagaId,
      event_type: h.eventType,
      event: h.event,
      status_before: h.statusBefore,
      status_after: h.statusAfter,
      verdict: h.verdict,
      verdict_code: h.verdictCode,
      verdict_reason: h.verdictReason,
      actor: h.actor,
    }));
    ctes.push(`history as (
    insert into saga_history (saga_id, event_type, event, status_before, status_after, verdict, verdict_code, verdict_reason, actor)
    select saga_id, event_type, event, status_before, status_after, verdict, verdict_code, verdict_reason, actor
      from json_to_recordset(${param(JSON.stringify(rows))}::json)
           as t(saga_id uuid, event_type text, event jsonb, status_before text, status_after text, verdict text, verdict_code text, verdict_reason text, actor text))`);
  }
  if (w.attempts.length > 0) {
    const rows = w.attempts.map((a) => ({ saga_id: a.sagaId, step: a.step, action: a.action, attempt: a.attempt, command_id: a.commandId, deadline_ms: a.deadlineAt }));
    ctes.push(`attempts as (
    insert into step_attempts (saga_id, step, action, attempt, command_id, status, deadline_at)
    select saga_id, step, action, attempt, command_id, 'SENT', to_timestamp(deadline_ms / 1000.0)
      from json_to_recordset(${param(JSON.stringify(rows))}::json)
           as t(saga_id uuid, step text, action text, attempt int, command_id text, deadline_ms double precision)
    on conflict do nothing)`);
  }
  if (w.attemptResults.length > 0) {
    // The first ending of an attempt wins, except that a decisive answer arriving after a timeout is
    // recorded: it is what the attempt did (the timeline shows when it answered).
    const byCommand = new Map<string, AttemptResultRow>();
    for (const r of w.attemptResults) if (!byCommand.has(r.commandId)) byCommand.set(r.commandId, r);
    const rows = [...byCommand.values()].map((r) => ({ command_id: r.commandId, status: r.status, output: r.output ?? null, error: r.error ?? null }));
    ctes.push(`results as (
    update step_attempts a set status = r.status, replied_at = now(), output = r.output, error = r.error
      from json_to_recordset(${param(JSON.stringify(rows))}::json) as r(command_id text, status text, output jsonb, error jsonb)
     where a.command_id = r.command_id
       and (a.status = 'SENT' or (a.status = 'TIMED_OUT' and r.status in ('SUCCEEDED', 'FAILED'))))`);
  }
  if (w.outbox.length > 0) {
    ctes.push(`batch as (
    insert into outbox_batches (messages, message_count) values (${param(JSON.stringify(w.outbox))}, ${param(w.outbox.length)})
    returning id)`);
  }
  if (w.publishedBatchIds.length > 0) {
    ctes.push(`published as (delete from outbox_batches where id = any(${param(w.publishedBatchIds)}::bigint[]))`);
  }
  if (w.deadLetters.length > 0) {
    const rows = w.deadLetters.map((d) => ({
      reason_code: d.reasonCode,
      reason: d.reason,
      by_component: d.by,
      source_topic: d.sourceTopic,
      source_partition: d.sourcePartition,
      source_offset: d.sourceOffset,
      message_key: d.key,
      value_excerpt: d.valueExcerpt,
      value_bytes: d.valueBytes,
    }));
    ctes.push(`dead as (
    insert into dead_letters (reason_code, reason, by_component, source_topic, source_partition, source_offset, message_key, value_excerpt, value_bytes)
    select reason_code, reason, by_component, source_topic, source_partition, source_offset, message_key, value_excerpt, value_bytes
      from json_to_recordset(${param(JSON.stringify(rows))}::json)
           as t(reason_code text, reason text, by_component text, source_topic text, source_partition int, source_offset text, message_key text, value_excerpt text, value_bytes int))`);
  }
  const select = [
    w.updates.length > 0 ? '(select count(*) from updated)::int as updated' : '0 as updated',
    w.outbox.length > 0 ? '(select id from batch)::text as batch_id' : 'null::text as batch_id',
  ].join(', ');
  // Named, so each connection parses and plans each shape of the statement once (prepared statements).
  const shape = ctes.map((c) => c.slice(0, c.indexOf(' as ('))).join('+') || 'nothing';
  return { name: `engine-writes:${shape}`, text: `with ${ctes.length > 0 ? ctes.join(',\n') : 'nothing as (select 1)'}\nselect ${select}`, values };
}

/** Runs the writes; throws when an instance's row_version moved (another transaction advanced it). Returns the outbox batch id. */
export async function writeEngineBatch(db: Queryable, w: EngineWrites): Promise<{ outboxBatchId: string | null }> {
  if (!hasWrites(w)) return { outboxBatchId: null };
  const res = await db.query<{ updated: number; batch_id: string | null }>(engineWritesQuery(w));
  const row = res.rows[0];
  if (row.updated !== w.updates.length) {
    throw new ConcurrentUpdateError(`${w.updates.length - row.updated} of ${w.updates.map((u) => u.sagaId).join(', ')}`);
  }
  return { outboxBatchId: row.batch_id };
}
