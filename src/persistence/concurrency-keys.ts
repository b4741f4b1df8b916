// The statements behind concurrency keys (core/concurrency.ts decides; these read and lock).
// Starts with a key take the key's advisory lock (transaction-scoped, before any row lock,
// in key order, so starts on several replicas cannot deadlock), then read which keys are
// open; admission reads the first open saga of each key. Sagas without a key never reach
// these statements.
import type { Queryable } from './queryable';

/** Serialises the starts of these keys until the transaction ends. */
export async function lockConcurrencyKeys(db: Queryable, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query({
    name: 'lock-concurrency-keys',
    text: 'select pg_advisory_xact_lock(hashtextextended(k, 7314)) from (select distinct k from unnest($1::text[]) as k order by k) as keys',
    values: [keys],
  });
}

/** The keys among `keys` held by, or waited for by, a saga that has not ended. */
export async function openConcurrencyKeys(db: Queryable, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const res = await db.query<{ k: string }>({
    name: 'open-concurrency-keys',
    text: `select distinct concurrency_key as k from saga_instances
            where concurrency_key = any($1::text[]) and status not in ('COMPLETED', 'COMPENSATED')`,
    values: [keys],
  });
  return new Set(res.rows.map((r) => r.k));
}

export interface FirstOpenSaga {
  sagaId: string;
  key: string;
  status: string;
}

/**
 * Per key, the saga that has not ended and was accepted first: of `keys`, or of every key
 * (the sweep), at most `limit`. Reads without locks: once a QUEUED saga is first, nothing
 * can overtake it, so what this returns stays true until that saga itself moves.
 */
export async function firstOpenSagas(db: Queryable, keys: string[] | null, limit: number): Promise<FirstOpenSaga[]> {
  const res = await db.query<{ saga_id: string; concurrency_key: string; status: string }>({
    name: keys === null ? 'first-open-sagas-all' : 'first-open-sagas',
    text: `select distinct on (concurrency_key) saga_id, concurrency_key, status from saga_instances
            where concurrency_key is not null and status not in ('COMPLETED', 'COMPENSATED')
              ${keys === null ? '' : 'and concurrency_key = any($2::text[])'}
            order by concurrency_key, queue_seq
            limit $1`,
    values: keys === null ? [limit] : [limit, keys],
  });
  return res.rows.map((r) => ({ sagaId: r.saga_id, key: r.concurrency_key, status: r.status }));
}
