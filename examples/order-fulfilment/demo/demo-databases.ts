// The demo's own databases on the PostgreSQL server it was given: one for the
// coordinator and one per participant service, named after the run, dropped at the end
// (unless --keep), so a demo never touches a coordinator that is already running.
import { Client } from 'pg';
import { PARTICIPANTS, type ParticipantName } from '../order';

export interface DemoDatabases {
  coordinator: string;
  participants: Record<ParticipantName, string>;
  names: string[];
  drop(): Promise<void>;
}

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

export async function createDemoDatabases(serverUrl: string, runId: string): Promise<DemoDatabases> {
  const name = (part: string) => `saga_demo_${runId}_${part}`;
  const names = [name('coordinator'), ...PARTICIPANTS.map(name)];
  const dbs = await createThrowawayDatabases(serverUrl, names);
  return {
    coordinator: dbs.urls[name('coordinator')],
    participants: Object.fromEntries(PARTICIPANTS.map((p) => [p, dbs.urls[name(p)]])) as Record<ParticipantName, string>,
    names,
    drop: dbs.drop,
  };
}
