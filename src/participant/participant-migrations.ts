// The SDK's own migration set (the barrier table), applied in the participant's
// database with its own bookkeeping table and advisory lock, so it never collides
// with the service's own migrations or the coordinator's.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrate, type MigrationResult } from '../persistence/migrator';

export const PARTICIPANT_MIGRATIONS_TABLE = 'participant_schema_migrations';
/** Arbitrary constant, distinct from the coordinator's migration lock key. */
export const PARTICIPANT_MIGRATIONS_LOCK_KEY = 7_415_230_191;

/**
 * Next to this file: under src/ for ts-node, under dist/ where nest-cli.json copies
 * the .sql files as assets. The src/ fallback serves a build made without those assets.
 */
export function participantMigrationsDir(): string {
  const candidates = [join(__dirname, 'migrations'), join(__dirname, '..', '..', 'src', 'participant', 'migrations')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0];
}

export function migrateParticipantSchema(pool: Pool): Promise<MigrationResult> {
  return migrate(pool, participantMigrationsDir(), { table: PARTICIPANT_MIGRATIONS_TABLE, lockKey: PARTICIPANT_MIGRATIONS_LOCK_KEY });
}
