// `npm run migrate`: applies pending migrations to DATABASE_URL and exits.
import { loadConfig } from '../config/app-config';
import { readLocalInfraEnv } from '../config/local-infra-env';
import { migrateCoordinatorSchema } from './coordinator-migrations';
import { assertDatabaseReachable, createPool } from './pg-pool';

async function main(): Promise<void> {
  const config = loadConfig(process.env, readLocalInfraEnv());
  const pool = createPool(config);
  try {
    await assertDatabaseReachable(pool, config.DATABASE_URL);
    const { applied } = await migrateCoordinatorSchema(pool);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await pool.end();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
});
