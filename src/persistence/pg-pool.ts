// Creates the coordinator's pg Pool from the validated config, and turns a failed
// first connection into an error that names DATABASE_URL.
import { Pool } from 'pg';
import { redactDatabaseUrl, type AppConfig } from '../config/app-config';
import { DatabaseUnavailableError } from '../coordinator/coordinator-errors';

export function createPool(config: Pick<AppConfig, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'DATABASE_SSL'>): Pool {
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    ssl: config.DATABASE_SSL ? { rejectUnauthorized: true } : undefined,
    connectionTimeoutMillis: 5_000,
    // Let a connection that PostgreSQL dropped be replaced instead of surfacing an error later.
    idleTimeoutMillis: 30_000,
    application_name: 'saga-coordinator',
  });
  // An idle client's connection dying (server restart, network) is reported here; without a
  // listener it would crash the process. The next checkout reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export async function assertDatabaseReachable(pool: Pool, url: string): Promise<void> {
  try {
    await pool.query('select 1');
  } catch (err) {
    throw new DatabaseUnavailableError(redactDatabaseUrl(url), err);
  }
}
