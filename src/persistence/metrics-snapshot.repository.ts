// What the metrics read from the database at scrape time: instances per status and
// definition, quarantined instances, and timers due and overdue. Cheap grouped reads on
// indexed columns (saga_instances_status, saga_instances_due), one round trip.
import type { Queryable } from './queryable';

export interface SagaStatusCount {
  status: string;
  definition: string;
  count: number;
}

export interface TimerCounts {
  /** Sagas whose earliest timer is due now (not quarantined). */
  due: number;
  /** Of those, the ones due for longer than `overdueAfterMs`. */
  overdue: number;
}

export interface MetricsSnapshot {
  statuses: SagaStatusCount[];
  quarantined: number;
  timers: TimerCounts;
}

export async function readMetricsSnapshot(db: Queryable, overdueAfterMs: number): Promise<MetricsSnapshot> {
  const res = await db.query<{ kind: string; status: string | null; definition: string | null; count: number }>(
    `select 'status' as kind, status, definition_name as definition, count(*)::int as count
       from saga_instances group by status, definition_name
     union all
     select 'quarantined', null, null, count(*)::int from saga_instances where quarantine is not null
     union all
     select 'due', null, null, count(*)::int from saga_instances where next_due_at <= now() and quarantine is null
     union all
     select 'overdue', null, null, count(*)::int from saga_instances
      where next_due_at <= now() - make_interval(secs => $1 / 1000.0) and quarantine is null`,
    [overdueAfterMs],
  );
  const of = (kind: string) => res.rows.find((r) => r.kind === kind)?.count ?? 0;
  return {
    statuses: res.rows.filter((r) => r.kind === 'status').map((r) => ({ status: r.status ?? '', definition: r.definition ?? '', count: r.count })),
    quarantined: of('quarantined'),
    timers: { due: of('due'), overdue: of('overdue') },
  };
}
