// What a user sees on standard output: in a terminal (pretty format) the first start's
// key box comes last, after "ready" and with the address, and a request is one short
// line; in JSON, kafkajs's details are fields of the line, not JSON text inside msg.
import { randomPort, startCoordinatorProcess, waitForReady } from '../../support/coordinator-process';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, infraEnv, uniqueName, type TestDatabase } from '../../support/test-infra';

const BOX_EDGE = '='.repeat(78);

describe('the coordinator output a user reads', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('saga_terminal');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('prints the first-start key box last, after "ready", with the address; a request is one short line', async () => {
    const port = randomPort();
    const svc = startCoordinatorProcess({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infraEnv().KAFKA_BROKERS,
      HTTP_PORT: String(port),
      KAFKA_TOPIC_PREFIX: uniqueName('term'),
      LOG_FORMAT: 'pretty',
      API_KEYS: '',
      API_AUTH: '',
    });
    try {
      expect(await waitForReady(port, 60_000)).toBe(200);
      await waitFor('the key box', async () => (svc.output().split(BOX_EDGE).length === 3 ? true : undefined), 10_000);
      const boot = svc.output();
      const boxStart = boot.indexOf(BOX_EDGE);
      const boxEnd = boot.lastIndexOf(BOX_EDGE) + BOX_EDGE.length;
      const box = boot.slice(boxStart, boxEnd);
      expect(box).toContain(`The saga coordinator is ready on http://localhost:${port}.`);
      const key = /sck_[A-Za-z0-9_-]{43}/.exec(box)![0];
      expect(box).toContain(`curl -H "Authorization: Bearer ${key}" http://localhost:${port}/v1/sagas`);
      // Everything the boot logs, route mappings included, comes before it; nothing after it.
      const before = boot.slice(0, boxStart);
      expect(before).toContain(`ready on http://localhost:${port}`);
      expect(before).toMatch(/Mapped \{\/v1\/sagas, GET\} route/);
      expect(boot.slice(boxEnd).trim()).toBe('');

      expect((await fetch(`http://127.0.0.1:${port}/v1/sagas?limit=5`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
      const line = await waitFor('the request line', async () => svc.output().split('\n').find((l) => l.includes('GET /v1/sagas?limit=5')), 10_000);
      expect(line).toMatch(/INFO: GET \/v1\/sagas\?limit=5 200 \d+ ms$/);
      expect(line.length).toBeLessThan(100);

      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
    } finally {
      svc.child.kill('SIGKILL');
    }
  });

  it("logs kafkajs's details as fields of the line, not as JSON inside its message, also while Kafka is unreachable", async () => {
    const svc = startCoordinatorProcess({ DATABASE_URL: db.url, KAFKA_BROKERS: '127.0.0.1:1', HTTP_PORT: '0', LOG_FORMAT: 'json' });
    const parsed = () =>
      svc
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; context?: string; kafka?: Record<string, unknown> });
    // An unreachable broker is waited for (the process does not exit): read its lines, then stop it.
    const kafkajs = await waitFor('kafkajs lines', async () => {
      const found = parsed().filter((l) => l.context === 'Kafka' && l.msg.startsWith('kafkajs'));
      return found.length > 0 ? found : undefined;
    }, 45_000);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    expect(kafkajs.length).toBeGreaterThan(0);
    for (const l of kafkajs) {
      expect(l.msg).toMatch(/^kafkajs \w+: /);
      expect(l.msg).not.toContain('{');
      expect(Object.keys(l.kafka ?? {}).length).toBeGreaterThan(0);
      expect(l.kafka).not.toHaveProperty('timestamp');
    }
    expect(kafkajs.map((l) => l.kafka?.broker)).toContain('127.0.0.1:1');
  });
});
