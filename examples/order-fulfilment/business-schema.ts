// Each example participant's own tables (schema/<participant>/NNNN_*.sql), migrated with
// the project's migrator under a bookkeeping table and lock of their own.
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate, type MigrationResult } from '@saga-coordinator/participant/migrator';
import type { ParticipantName } from './order';

const LOCK_KEY = 7_415_230_290;

export function migrateBusinessSchema(pool: Pool, participant: ParticipantName): Promise<MigrationResult> {
  return migrate(pool, join(__dirname, 'schema', participant), { table: 'example_schema_migrations', lockKey: LOCK_KEY });
}
