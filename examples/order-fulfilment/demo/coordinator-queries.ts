// Read-only queries the demo runs against the coordinator's database (its own demo
// database): saga counts by status, why sagas compensated, how many attempts timed out.
import type { Pool } from 'pg';
import { ORDER_FULFILMENT } from '../order-fulfilment.saga';
import { emptyCounts, type StatusCounts } from './demo-report';

export async function statusCounts(pool: Pool): Promise<{ counts: StatusCounts; total: number }> {
  const res = await pool.query<{ status: keyof StatusCounts; n: number }>(
    'select status, count(*)::int as n from saga_instances where definition_name = $1 group by status',
    [ORDER_FULFILMENT],
  );
  const counts = emptyCounts();
  let total = 0;
  for (const r of res.rows) {
    counts[r.status] = r.n;
    total += r.n;
  }
  return { counts, total };
}

/** Per compensated saga, the error code of the execute that failed it, or "timed out" when retries ran out. */
export async function compensationReasons(pool: Pool): Promise<Map<string, number>> {
  const res = await pool.query<{ reason: string; n: number }>(
    `select coalesce((select a.error->>'code' from step_attempts a
                       where a.saga_id = s.saga_id and a.action = 'execute' and a.status = 'FAILED'
                       order by a.replied_at limit 1), 'retries exhausted') as reason,
            count(*)::int as n
       from saga_instances s
      where s.definition_name = $1 and s.status = 'COMPENSATED'
      group by 1`,
    [ORDER_FULFILMENT],
  );
  return new Map(res.rows.map((r) => [r.reason, r.n]));
}

export async function timedOutAttempts(pool: Pool): Promise<number> {
  const res = await pool.query<{ n: number }>("select count(*)::int as n from step_attempts where status = 'TIMED_OUT'");
  return res.rows[0].n;
}
