import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate, MigrationError, readMigrations } from '@saga-coordinator/participant/migrator';
import { MIGRATIONS_DIR, migrateCoordinatorSchema } from '../../../src/persistence/coordinator-migrations';
import { createTestDatabase, TestDatabase, testPool } from '../../support/test-infra';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

describe('migrations against real PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeEach(async () => {
    db = await createTestDatabase('saga_migr');
    pool = testPool(db.url);
  });

  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  async function tables(): Promise<string[]> {
    const r = await pool.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' order by 1");
    return r.rows.map((x) => x.table_name);
  }

  it('applies the product schema, then finds nothing to do the second time', async () => {
    const first = await migrateCoordinatorSchema(pool);
    expect(first.applied).toEqual(readMigrations(MIGRATIONS_DIR).map((m) => m.label));
    expect(await tables()).toEqual(expect.arrayContaining(['saga_definitions', 'saga_instances', 'step_attempts', 'saga_history', 'outbox_batches', 'inbox', 'dead_letters', 'participant_breakers']));
    const second = await migrateCoordinatorSchema(pool);
    expect(second.applied).toEqual([]);
  });

  it('lets two migrators race without colliding: each migration applied exactly once', async () => {
    const other = testPool(db.url, 2);
    try {
      const results = await Promise.all([migrateCoordinatorSchema(pool), migrateCoordinatorSchema(other), migrateCoordinatorSchema(pool), migrateCoordinatorSchema(other)]);
      const appliedCounts = results.map((r) => r.applied.length);
      expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1);
      const rows = await pool.query('select version from schema_migrations order by version');
      expect(rows.rows.map((r) => r.version)).toEqual(readMigrations(MIGRATIONS_DIR).map((m) => m.version));
    } finally {
      await other.end();
    }
  });

  it('leaves the database as it was when a migration fails', async () => {
    await expect(migrate(pool, join(FIXTURES, 'migrations-broken'))).rejects.toThrow(MigrationError);
    await expect(migrate(pool, join(FIXTURES, 'migrations-broken'))).rejects.toThrow(/0002_broken failed/);
    // 0001 ran before 0002 failed; the whole run rolled back, including the bookkeeping table.
    expect(await tables()).toEqual([]);
  });

  it('refuses an applied migration whose file changed', async () => {
    await migrate(pool, join(FIXTURES, 'migrations-ok'));
    await pool.query("update schema_migrations set checksum = 'edited' where version = 1");
    await expect(migrate(pool, join(FIXTURES, 'migrations-ok'))).rejects.toThrow(/was changed after it was applied/);
  });
});
