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

/** Records how an attempt ended (a reply's outcome, or TIMED_OUT); the first ending wins. */
export async function recordAttemptResult(db: Queryable, r: { commandId: string; status: string; output?: unknown; error?: unknown }): Promise<void> {
  await db.query(
    `update step_attempts set status = $2, replied_at = now(), output = $3, error = $4
      where command_id = $1 and status = 'SENT'`,
    [r.commandId, r.status, r.output === undefined ? null : JSON.stringify(r.output), r.error === undefined ? null : JSON.stringify(r.error)],
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
