// Several reads that must agree with each other (a saga's state, its attempts and its
// history) run in one read-only REPEATABLE READ transaction: one snapshot, so the
// history never shows an event the state does not reflect yet.
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './queryable';

export function inReadSnapshot<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, fn, 'begin isolation level repeatable read read only');
}
