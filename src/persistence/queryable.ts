import { withClient } from '@saga-coordinator/participant/migrator';
import type { Pool, PoolClient } from 'pg';

/** A pool or a client inside a transaction: repositories work with either. */
export type Queryable = Pick<Pool | PoolClient, 'query'>;

export { withClient };

/** Runs fn in one transaction on one client; rolls back on any error. `begin` may set isolation and access mode. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, begin = 'begin'): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query(begin);
    try {
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    }
  });
}

