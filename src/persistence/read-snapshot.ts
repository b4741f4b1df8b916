// Several reads that must agree with each other (a saga's state, its attempts and its
// history) run in one read-only REPEATABLE READ transaction: one snapshot, so the
// history never shows an event the state does not reflect yet.
import type { Pool, PoolClient } from 'pg';

export async function inReadSnapshot<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
