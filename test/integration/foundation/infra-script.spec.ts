// `npm run infra:up` as users run it, against the real PostgreSQL and Kafka it finds:
// it creates only the default database, says how to create any other, leaves the
// recorded defaults alone when the variables are given, and probes with the TLS and
// SASL settings the coordinator will use.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, infraEnv, uniqueName, type TestDatabase } from '../../support/test-infra';

const ROOT = join(__dirname, '..', '..', '..');
const INFRA_ENV = join(ROOT, '.local', 'infra.env');

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script, required for its probe options
const infra = require('../../../docker/infra.js') as {
  pgProbeOptions(url: string, env: Record<string, string>): { ssl?: object };
  kafkaProbeOptions(brokers: string, timeoutMs: number, env: Record<string, string>): { ssl: boolean; sasl?: object; brokers: string[] };
};

function infraUp(env: Record<string, string>): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'docker', 'infra.js'), 'up'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function databaseExists(name: string): Promise<boolean> {
  const c = new Client({ connectionString: withDatabase(infraEnv().DATABASE_URL, 'postgres') });
  await c.connect();
  try {
    return (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await c.end();
  }
}

const recorded = () => (existsSync(INFRA_ENV) ? readFileSync(INFRA_ENV, 'utf8') : '');

describe('npm run infra:up', () => {
  let db: TestDatabase;
  const kafka = { KAFKA_BROKERS: infraEnv().KAFKA_BROKERS };

  beforeAll(async () => {
    db = await createTestDatabase('infra_up');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('does not create a database other than saga_coordinator: it says that it does not exist and how to create it', async () => {
    const typo = uniqueName('ux_review_typo');
    const url = withDatabase(infraEnv().DATABASE_URL, typo);
    const r = infraUp({ DATABASE_URL: url, ...kafka });
    expect(r.status).toBe(1);
    expect(r.output).toContain(`the database "${typo}" named in DATABASE_URL=`);
    expect(r.output).toContain('does not exist');
    expect(r.output).toMatch(new RegExp(`createdb -h \\S+ -p \\d+( -U \\S+)? ${typo}`));
    expect(r.output).not.toMatch(/created database/);
    expect(await databaseExists(typo)).toBe(false);
  });

  it("uses an existing database of DATABASE_URL without recording it as the checkout's default", () => {
    const before = recorded();
    const r = infraUp({ DATABASE_URL: db.url, ...kafka });
    expect(r.status).toBe(0);
    expect(r.output).toContain('[infra] ready');
    // A second coordinator prepared with its own variables must not redirect the first one.
    expect(recorded()).not.toContain(db.name);
    if (before !== '') expect(recorded()).toBe(before);
  });

  it('probes PostgreSQL with DATABASE_SSL: TLS demanded of a server that does not offer a verifiable one fails', () => {
    const r = infraUp({ DATABASE_URL: db.url, DATABASE_SSL: 'true', ...kafka });
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/DATABASE_URL=\S+ does not answer: .*(SSL|certificate)/i);
  });

  it.each([
    ['KAFKA_SSL', { KAFKA_SSL: 'true' }],
    ['KAFKA_SASL_*', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }],
  ])('probes Kafka with %s: the plaintext broker without authentication does not pass', (_name, settings) => {
    const r = infraUp({ DATABASE_URL: db.url, ...kafka, ...settings });
    expect(r.status).toBe(1);
    expect(r.output).toContain(`KAFKA_BROKERS=${kafka.KAFKA_BROKERS} does not answer (with the KAFKA_SSL / KAFKA_SASL_* settings given)`);
  });

  it('builds its probe clients from the same variables as the coordinator', () => {
    expect(infra.pgProbeOptions('postgres://h/d', { DATABASE_SSL: 'yes' }).ssl).toEqual({ rejectUnauthorized: true });
    expect(infra.pgProbeOptions('postgres://h/d', {}).ssl).toBeUndefined();
    expect(infra.kafkaProbeOptions('a:1, b:2', 1000, { KAFKA_SSL: '1', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toMatchObject({
      brokers: ['a:1', 'b:2'],
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
    expect(infra.kafkaProbeOptions('a:1', 1000, {})).toMatchObject({ ssl: false, sasl: undefined });
  });
});
