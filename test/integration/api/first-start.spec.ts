// Zero configuration without an open API, on the real process as `npm start` runs it:
// the first start with no key anywhere creates an admin key and prints it once; it
// works, is never logged with requests, and a restart prints nothing new.
import { randomPort, startCoordinatorProcess, waitForReady } from '../../support/coordinator-process';
import { createTestDatabase, infraEnv, TestDatabase, uniqueName } from '../../support/test-infra';

const KEY = /sck_[A-Za-z0-9_-]{43}/g;

describe('the first start of a coordinator with no API key configured', () => {
  let db: TestDatabase;
  const prefix = uniqueName('first');

  beforeAll(async () => {
    db = await createTestDatabase('saga_first_start');
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function run<T>(port: number, body: (output: () => string) => Promise<T>): Promise<T> {
    // API_KEYS is emptied in case the developer's shell sets it: this is the zero-config case.
    const svc = startCoordinatorProcess({ DATABASE_URL: db.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: String(port), KAFKA_TOPIC_PREFIX: prefix, API_KEYS: '', API_AUTH: '' });
    try {
      expect(await waitForReady(port, 60_000)).toBe(200);
      const result = await body(svc.output);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
      return result;
    } finally {
      svc.child.kill('SIGKILL');
    }
  }

  it('prints one admin key once, which works and never appears in request logs; a restart prints none', async () => {
    const port = randomPort();
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    const key = await run(port, async (output) => {
      const printed = [...new Set(output().match(KEY) ?? [])];
      expect(printed).toHaveLength(1);
      const [firstKey] = printed;
      expect(output()).toContain(`curl -H "Authorization: Bearer ${firstKey}" http://localhost:${port}/v1/sagas`);
      const occurrences = output().split(firstKey).length - 1;

      expect((await fetch(url('/v1/sagas'))).status).toBe(401);
      const listed = await fetch(url('/v1/sagas'), { headers: { Authorization: `Bearer ${firstKey}` } });
      expect(listed.status).toBe(200);
      const created = await fetch(url('/v1/api-keys'), {
        method: 'POST',
        headers: { 'X-API-Key': firstKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'dashboard', role: 'viewer' }),
      });
      expect(created.status).toBe(201);
      const newKey = ((await created.json()) as { key: string }).key;
      expect((await fetch(url('/v1/sagas'), { headers: { 'X-API-Key': newKey } })).status).toBe(200);

      // Requests were logged (LOG_LEVEL=info), with their key headers redacted.
      await new Promise((r) => setTimeout(r, 300));
      expect(output()).toMatch(/"authorization":"\*\*\*"/);
      expect(output()).toMatch(/"x-api-key":"\*\*\*"/);
      expect(output().split(firstKey).length - 1).toBe(occurrences);
      expect(output()).not.toContain(newKey);
      return firstKey;
    });

    const stored = await fetchStoredKeys(db.url);
    expect(stored).toEqual([
      { name: 'bootstrap-admin', role: 'admin', revoked: false },
      { name: 'dashboard', role: 'viewer', revoked: false },
    ]);

    await run(port, async (output) => {
      expect(output()).not.toMatch(KEY);
      expect(output()).not.toMatch(/created an admin API key/);
      expect((await fetch(url('/v1/definitions'), { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    });
  });

  it('refuses to start with API_AUTH=disabled on a non-loopback HTTP_HOST, naming the variable', async () => {
    const svc = startCoordinatorProcess({ DATABASE_URL: db.url, HTTP_PORT: '0', HTTP_HOST: '0.0.0.0', API_AUTH: 'disabled', API_KEYS: '' });
    expect(await svc.exited).toBe(1);
    expect(svc.output()).toMatch(/API_AUTH: API_AUTH=disabled is only allowed with a loopback HTTP_HOST/);
  });

  it('refuses a malformed API_KEYS without printing the keys it holds', async () => {
    const secret = 'a-secret-that-must-not-leak-123';
    const svc = startCoordinatorProcess({ DATABASE_URL: db.url, HTTP_PORT: '0', API_KEYS: `ops:root:${secret}` });
    expect(await svc.exited).toBe(1);
    expect(svc.output()).toMatch(/API_KEYS: entry 1 \(ops\): the role must be one of viewer, operator, admin/);
    expect(svc.output()).not.toContain(secret);
  });
});

async function fetchStoredKeys(url: string): Promise<{ name: string; role: string; revoked: boolean }[]> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const res = await c.query('select name, role, revoked_at is not null as revoked from api_keys order by name');
    return res.rows;
  } finally {
    await c.end();
  }
}
