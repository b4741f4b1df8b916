// The SDK's own migration set (the barrier table), applied in the participant's
// database with its own bookkeeping table and advisory lock, so it never collides
// with the service's own migrations or the coordinator's.
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate, type MigrationResult } from './migrator';

export const PARTICIPANT_MIGRATIONS_TABLE = 'participant_schema_migrations';
/** Arbitrary constant, distinct from the coordinator's migration lock key. */
export const PARTICIPANT_MIGRATIONS_LOCK_KEY = 7_415_230_191;

/** packages/participant/migrations: one level above this file, both in src/ (ts-node) and in dist/ (the build). */
export function participantMigrationsDir(): string {
  return join(__dirname, '..', 'migrations');
}

export function migrateParticipantSchema(pool: Pool): Promise<MigrationResult> {
  return migrate(pool, participantMigrationsDir(), { table: PARTICIPANT_MIGRATIONS_TABLE, lockKey: PARTICIPANT_MIGRATIONS_LOCK_KEY });
}
