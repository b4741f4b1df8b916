// Schema migrations: numbered SQL files in a directory (NNNN_name.sql), applied in
// order inside ONE transaction that first takes a transaction-scoped advisory lock.
// Several replicas starting at once serialise on the lock and the later ones find
// nothing to do; a failing migration rolls the whole run back, leaving the database
// as it was. An applied file whose content changed is refused (checksum), because
// silently diverging schemas are worse than a failed boot.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { withClient } from './pg-client';

export { withClient } from './pg-client';

/** Arbitrary constant: the advisory lock key every migrator of this product agrees on. */
const MIGRATION_LOCK_KEY = 7_415_230_190;

export interface MigrationFile {
  version: number;
  name: string;
  /** The file name without `.sql`, e.g. 0001_saga_schema: how people refer to a migration. */
  label: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  readonly retriable = false;
  constructor(message: string, readonly migration?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function readMigrations(dir: string): MigrationFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Map<number, string>();
  return files.map((file) => {
    const m = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new MigrationError(`migration file name must be NNNN_name.sql: ${file}`, file);
    const version = Number(m[1]);
    const clash = seen.get(version);
    if (clash) throw new MigrationError(`two migrations share version ${version}: ${clash} and ${file}`, file);
    seen.set(version, file);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version, name: m[2], label: file.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

export interface MigrationResult {
  applied: string[];
}

export interface MigrateOptions {
  /** Bookkeeping table; another migration set (the participant SDK's) uses its own. @default schema_migrations */
  table?: string;
  /** Advisory lock key of this migration set. */
  lockKey?: number;
}

export async function migrate(pool: Pool, dir: string, options: MigrateOptions = {}): Promise<MigrationResult> {
  const table = options.table ?? 'schema_migrations';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) throw new MigrationError(`invalid bookkeeping table name: ${table}`);
  const migrations = readMigrations(dir);
  return withClient(pool, async (client) => {
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1)', [options.lockKey ?? MIGRATION_LOCK_KEY]);
      await client.query(`create table if not exists ${table} (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
      const applied = await appliedMigrations(client, table);
      const done: string[] = [];
      for (const m of migrations) {
        const previous = applied.get(m.version);
        if (previous) {
          if (previous !== m.checksum) {
            throw new MigrationError(`migration ${m.label} was changed after it was applied; add a new migration instead`, m.name);
          }
          continue;
        }
        try {
          await client.query(m.sql);
        } catch (err) {
          throw new MigrationError(`migration ${m.label} failed: ${(err as Error).message}`, m.name, { cause: err });
        }
        await client.query(`insert into ${table} (version, name, checksum) values ($1, $2, $3)`, [m.version, m.name, m.checksum]);
        done.push(m.label);
      }
      await client.query('commit');
      return { applied: done };
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    }
  });
}

async function appliedMigrations(client: PoolClient, table: string): Promise<Map<number, string>> {
  const res = await client.query<{ version: number; checksum: string }>(`select version, checksum from ${table}`);
  return new Map(res.rows.map((r) => [r.version, r.checksum]));
}
