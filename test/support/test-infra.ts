// Real PostgreSQL and Kafka for tests: each test file gets its own database (dropped
// afterwards) and its own topic prefix, so files never see each other's data.
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { readLocalInfraEnv } from '../../src/config/local-infra-env';

export function infraEnv(): { DATABASE_URL: string; KAFKA_BROKERS: string } {
  const local = readLocalInfraEnv();
  return {
    DATABASE_URL: process.env.DATABASE_URL ?? local.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/saga_coordinator',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? local.KAFKA_BROKERS ?? '127.0.0.1:9092',
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'saga_test'): Promise<TestDatabase> {
  const serverUrl = withDatabase(infraEnv().DATABASE_URL, 'postgres');
  const name = uniqueName(prefix);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(infraEnv().DATABASE_URL, name),
    drop: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A validated config pointing at the test's own database and topic prefix. */
export function testConfig(overrides: Record<string, string>): AppConfig {
  return loadConfig({
    KAFKA_BROKERS: infraEnv().KAFKA_BROKERS,
    KAFKA_PARTITIONS: '2',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    LOG_FORMAT: 'json',
    ...overrides,
  });
}

/**
 * A pool for a test's own database. Like the service's pool it listens for errors of
 * idle clients: dropping the database WITH (FORCE) may terminate a connection pg has
 * just handed back, and an unheard 'error' event would fail the test run.
 */
export function testPool(url: string, max = 4): Pool {
  const pool = new Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}
