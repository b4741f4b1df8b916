// Step attempts: one row per command sent (execute or compensate) and what came back.
import type { Queryable } from './queryable';

export interface NewAttempt {
  sagaId: string;
  step: string;
  action: string;
  attempt: number;
  commandId: string;
  deadlineAt: Date | null;
}

export async function insertAttempts(db: Queryable, attempts: NewAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  await db.query(
    `insert into step_attempts (saga_id, step, action, attempt, command_id, status, deadline_at)
     select s, st, a, n, c, 'SENT', d from unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::timestamptz[]) as t(s, st, a, n, c, d)
     on conflict do nothing`,
    [attempts.map((a) => a.sagaId), attempts.map((a) => a.step), attempts.map((a) => a.action), attempts.map((a) => a.attempt), attempts.map((a) => a.commandId), attempts.map((a) => a.deadlineAt)],
  );
}

export interface AttemptResult {
  commandId: string;
  /** SUCCEEDED, FAILED, RETRY_REQUESTED or TIMED_OUT. */
  status: string;
  output?: unknown;
  error?: unknown;
}

/** Records how attempts ended, in one statement; the first ending of an attempt wins. */
export async function recordAttemptResults(db: Queryable, results: AttemptResult[]): Promise<void> {
  const byCommand = new Map<string, AttemptResult>();
  for (const r of results) if (!byCommand.has(r.commandId)) byCommand.set(r.commandId, r);
  if (byCommand.size === 0) return;
  const rows = [...byCommand.values()];
  await db.query(
    `update step_attempts a set status = r.status, replied_at = now(), output = r.output, error = r.error
       from unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[]) as r(command_id, status, output, error)
      where a.command_id = r.command_id and a.status = 'SENT'`,
    [
      rows.map((r) => r.commandId),
      rows.map((r) => r.status),
      rows.map((r) => (r.output === undefined ? null : JSON.stringify(r.output))),
      rows.map((r) => (r.error === undefined ? null : JSON.stringify(r.error))),
    ],
  );
}

export interface StoredAttempt {
  step: string;
  action: string;
  attempt: number;
  commandId: string;
  status: string;
  sentAt: Date;
  deadlineAt: Date | null;
  repliedAt: Date | null;
  output: unknown;
  error: unknown;
}

export async function listAttempts(db: Queryable, sagaId: string): Promise<StoredAttempt[]> {
  const res = await db.query<{ step: string; action: string; attempt: number; command_id: string; status: string; sent_at: Date; deadline_at: Date | null; replied_at: Date | null; output: unknown; error: unknown }>(
    'select * from step_attempts where saga_id = $1 order by sent_at, step, action, attempt',
    [sagaId],
  );
  return res.rows.map((r) => ({
    step: r.step,
    action: r.action,
    attempt: r.attempt,
    commandId: r.command_id,
    status: r.status,
    sentAt: r.sent_at,
    deadlineAt: r.deadline_at,
    repliedAt: r.replied_at,
    output: r.output,
    error: r.error,
  }));
}
