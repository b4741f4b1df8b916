// Throwaway databases for a run (the demo's, the benchmark's): created on the server of
// a given URL under names the caller makes unique, dropped again by `drop()`.
import { Client } from 'pg';

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export interface ThrowawayDatabases {
  /** Connection string per database name. */
  urls: Record<string, string>;
  drop(): Promise<void>;
}

/** Creates the named databases on the server of `serverUrl`; `drop()` removes what was created. */
export async function createThrowawayDatabases(serverUrl: string, names: string[]): Promise<ThrowawayDatabases> {
  const adminUrl = withDatabase(serverUrl, 'postgres');
  const created: string[] = [];
  const drop = async () => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      for (const db of created) await c.query(`drop database if exists "${db}" with (force)`);
    } finally {
      await c.end();
    }
  };
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const db of names) {
      // Identifiers cannot be bound as parameters: callers build names from [a-z0-9_] only.
      if (!/^[a-z0-9_]{1,63}$/.test(db)) throw new Error(`unsafe database name ${db}`);
      await admin.query(`create database "${db}"`);
      created.push(db);
    }
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  } finally {
    await admin.end();
  }
  return { urls: Object.fromEntries(names.map((n) => [n, withDatabase(serverUrl, n)])), drop };
}
