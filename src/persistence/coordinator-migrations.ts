// The coordinator's own schema: the numbered SQL files in migrations/ at the repository
// root, applied by the migration runner it shares with the participant SDK.
import { migrate, type MigrationResult } from '@saga-coordinator/participant/migrator';
import { join } from 'node:path';
import type { Pool } from 'pg';

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

export function migrateCoordinatorSchema(pool: Pool): Promise<MigrationResult> {
  return migrate(pool, MIGRATIONS_DIR);
}
