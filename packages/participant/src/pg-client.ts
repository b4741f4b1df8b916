// Checking out a pg client safely. While a client is checked out the pool does not listen
// for its 'error' event, and an unheard 'error' (PostgreSQL restarting, a dropped
// connection) ends the process; so we listen, and a client that failed is discarded
// instead of going back to the pool. Shared by the SDK and the coordinator.
import type { Pool, PoolClient } from 'pg';

export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    broken ??= isConnectionError(err) ? (err as Error) : undefined;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (typeof e?.code === 'string' && /^(08|57P0)/.test(e.code)) || (typeof e?.message === 'string' && /Connection terminated|connection error/i.test(e.message));
}
