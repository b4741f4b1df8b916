// Every query the chaos run makes against the coordinator's own database, in one place:
// the storage (timers, outbox, history, the state's JSON) may change, and then only this
// file follows it. Read-only.
import type { Pool } from 'pg';
import { ORDER_FULFILMENT } from '../../examples/order-fulfilment/order-fulfilment.saga';

export const SAGA_STATUSES = ['RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED'] as const;
export type StatusCounts = Record<(typeof SAGA_STATUSES)[number], number>;

export async function statusCounts(pool: Pool): Promise<StatusCounts> {
  const res = await pool.query<{ status: string; n: number }>('select status, count(*)::int as n from saga_instances where definition_name = $1 group by status', [ORDER_FULFILMENT]);
  const counts = Object.fromEntries(SAGA_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const r of res.rows) counts[r.status as keyof StatusCounts] = (counts[r.status as keyof StatusCounts] ?? 0) + r.n;
  return counts;
}

/** Sagas per order (the business key is the order id). */
export async function sagasPerOrder(pool: Pool): Promise<Map<string, number>> {
  const res = await pool.query<{ business_key: string; n: number }>(
    'select business_key, count(*)::int as n from saga_instances where definition_name = $1 and business_key is not null group by business_key',
    [ORDER_FULFILMENT],
  );
  return new Map(res.rows.map((r) => [r.business_key, r.n]));
}

/** Messages committed but never published (outbox batches are deleted once published). */
export async function unsentOutboxRows(pool: Pool): Promise<number> {
  const res = await pool.query<{ n: number }>('select coalesce(sum(message_count), 0)::int as n from outbox_batches');
  return res.rows[0].n;
}

/** Sagas that have ended (COMPLETED or COMPENSATED) but still have a timer due: nothing may fire for them any more. */
export async function timersOfFinishedSagas(pool: Pool): Promise<number> {
  const res = await pool.query<{ n: number }>("select count(*)::int as n from saga_instances where status in ('COMPLETED', 'COMPENSATED') and next_due_at is not null");
  return res.rows[0].n;
}

export async function timedOutAttempts(pool: Pool): Promise<number> {
  const res = await pool.query<{ n: number }>("select count(*)::int as n from step_attempts where status = 'TIMED_OUT'");
  return res.rows[0].n;
}

/**
 * Why a saga compensated — or began to and then escalated to FAILED (a compensation ran
 * out of attempts): the state's compensationReason (cause, step), and the event that
 * turned it from RUNNING to COMPENSATING in its history — a business failure is a
 * StepReplied with outcome failure; a timeout or a `retry` answer that used up the
 * attempts is not. (The step's lastError alone cannot tell: a late reply to an older
 * attempt may have written it.)
 */
export interface SagaCompensation {
  orderId: string;
  /** COMPENSATED, or FAILED (it escalated while compensating). */
  status: string;
  /** step-failed, cancel-requested, deadline-reached, step-overridden. */
  cause: string;
  step: string | null;
  /** The reply's error code for a business failure, else the failing step's last error code (ATTEMPT_TIMED_OUT, a `retry` code), or null. */
  code: string | null;
  businessFailure: boolean;
  /** execute attempts the failing step made. */
  attempts: number;
}

export async function sagaCompensations(pool: Pool): Promise<SagaCompensation[]> {
  const res = await pool.query<{ order_id: string; status: string; cause: string | null; step: string | null; last_code: string | null; attempts: number | null; turning_event: string | null; outcome: string | null; reply_code: string | null }>(
    `select s.business_key as order_id, s.status, r.cause, r.step,
            s.state->'steps'->r.step->'lastError'->>'code' as last_code,
            (s.state->'steps'->r.step->>'attempt')::int as attempts,
            t.event_type as turning_event, t.event->>'outcome' as outcome, t.event->'error'->>'code' as reply_code
       from saga_instances s
       cross join lateral (select s.state->'compensationReason'->>'cause' as cause, s.state->'compensationReason'->>'step' as step) r
       left join lateral (select h.event_type, h.event from saga_history h
                           where h.saga_id = s.saga_id and h.status_before = 'RUNNING' and h.status_after = 'COMPENSATING'
                           order by h.id limit 1) t on true
      where s.definition_name = $1
        and (s.status = 'COMPENSATED' or (s.status = 'FAILED' and r.cause is not null))`,
    [ORDER_FULFILMENT],
  );
  return res.rows.map((r) => {
    const businessFailure = r.turning_event === 'StepReplied' && r.outcome === 'failure';
    return { orderId: r.order_id, status: r.status, cause: r.cause ?? 'unknown', step: r.step, code: businessFailure ? r.reply_code : r.last_code, businessFailure, attempts: r.attempts ?? 0 };
  });
}

/** Per FAILED saga, each step that waits for an operator, with the reason. */
export async function escalations(pool: Pool): Promise<{ step: string; reason: string; n: number }[]> {
  const res = await pool.query<{ step: string; reason: string; n: number }>(
    `select st.key as step, coalesce(st.value->'needsAttention'->>'reason', st.value->>'status') as reason, count(*)::int as n
       from saga_instances s, jsonb_each(s.state->'steps') st
      where s.definition_name = $1 and s.status = 'FAILED'
        and (st.value->'needsAttention' is not null and st.value->'needsAttention' <> 'null'::jsonb or st.value->>'status' = 'COMPENSATION_FAILED')
      group by 1, 2 order by 3 desc`,
    [ORDER_FULFILMENT],
  );
  return res.rows;
}

/** When replies were applied (not ignored), epoch ms, in order. */
export async function replyAppliedTimes(pool: Pool): Promise<number[]> {
  const res = await pool.query<{ t: number }>(
    "select (extract(epoch from occurred_at) * 1000)::float8 as t from saga_history where event_type = 'StepReplied' and verdict = 'applied' order by occurred_at",
  );
  return res.rows.map((r) => r.t);
}

/** When the last saga ended, epoch ms (null: none ended). */
export async function lastFinishedAt(pool: Pool): Promise<number | null> {
  const res = await pool.query<{ t: number | null }>('select (extract(epoch from max(finished_at)) * 1000)::float8 as t from saga_instances where definition_name = $1', [ORDER_FULFILMENT]);
  return res.rows[0].t;
}
