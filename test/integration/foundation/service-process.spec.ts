// The service as users run it: a separate process, started, probed and stopped with SIGTERM.
import { createServer, type Server } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { randomPort, startCoordinatorProcess as startService, waitForReady } from '../../support/coordinator-process';
import { createTestDatabase, infraEnv, TestDatabase, uniqueName } from '../../support/test-infra';

async function waitForHealth(port: number, path: string, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return undefined;
}

describe('the coordinator process', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('saga_proc');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('becomes ready, then exits 0 on SIGTERM without an unhandled rejection', async () => {
    const port = randomPort();
    const svc = startService({ DATABASE_URL: db.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: String(port), KAFKA_TOPIC_PREFIX: uniqueName('proc') });
    try {
      expect(await waitForReady(port, 45_000)).toBe(200);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
      expect(svc.output()).not.toMatch(/UnhandledPromiseRejection|unhandled rejection/i);
    } finally {
      svc.child.kill('SIGKILL');
    }
  });

  // An outage at boot is a pause, not a failure (issue 8): the process serves /health, reports what
  // is missing on /health/ready, names the variable in its log, and becomes ready when it answers.
  it('waits for an unreachable PostgreSQL instead of exiting, reports it on readiness, and names DATABASE_URL', async () => {
    const port = randomPort();
    const svc = startService({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing', KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: String(port), KAFKA_TOPIC_PREFIX: uniqueName('proc') });
    try {
      expect(await waitForHealth(port, '/health', 30_000)).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(503);
      expect(JSON.stringify(await ready.json())).toMatch(/postgres/);
      expect(svc.output()).toMatch(/Cannot connect to PostgreSQL at DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:1\/nothing.*waiting for PostgreSQL/);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
    } finally {
      svc.child.kill('SIGKILL');
    }
  });

  it('waits for an unreachable Kafka instead of exiting, reports it on readiness, and names KAFKA_BROKERS', async () => {
    const port = randomPort();
    const svc = startService({ DATABASE_URL: db.url, KAFKA_BROKERS: '127.0.0.1:1', HTTP_PORT: String(port), KAFKA_TOPIC_PREFIX: uniqueName('proc') });
    try {
      expect(await waitForHealth(port, '/health', 45_000)).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(503);
      expect(JSON.stringify(await ready.json())).toMatch(/kafka/);
      expect(svc.output()).toMatch(/Cannot reach Kafka at KAFKA_BROKERS=127\.0\.0\.1:1.*waiting for Kafka/);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
    } finally {
      svc.child.kill('SIGKILL');
    }
  });

  it('refuses a malformed DATABASE_URL before connecting to anything', async () => {
    const svc = startService({ DATABASE_URL: 'mysql://x', HTTP_PORT: '0' });
    expect(await svc.exited).toBe(1);
    expect(svc.output()).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it('refuses an HTTP_PORT already in use before it connects to PostgreSQL or Kafka, naming HTTP_PORT', async () => {
    const port = randomPort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '0.0.0.0', resolve));
    const prefix = uniqueName('busy');
    const fresh = await createTestDatabase('saga_proc_busy');
    try {
      const svc = startService({ DATABASE_URL: fresh.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: String(port), KAFKA_TOPIC_PREFIX: prefix });
      expect(await svc.exited).toBe(1);
      expect(svc.output()).toContain(`HTTP_PORT=${port} is already in use on 0.0.0.0`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    // It touched nothing: no migration ran, no topic was created, no consumer joined the group of the running instances.
    const c = new Client({ connectionString: fresh.url });
    await c.connect();
    try {
      expect((await c.query("select table_name from information_schema.tables where table_schema = 'public'")).rows).toEqual([]);
    } finally {
      await c.end();
      await fresh.drop();
    }
    const admin = new Kafka({ clientId: 'service-process-spec', brokers: infraEnv().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect((await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`))).toEqual([]);
      const { groups } = await admin.describeGroups([`${prefix}-coordinator`]);
      expect(groups[0]).toMatchObject({ state: 'Dead', members: [] });
    } finally {
      await admin.disconnect();
    }
  });

  it('prints one sentence for a malformed HTTP_PORT', async () => {
    const svc = startService({ HTTP_PORT: 'abc' });
    expect(await svc.exited).toBe(1);
    const problems = svc.output().split('\n').filter((line) => line.includes('HTTP_PORT'));
    expect(problems).toEqual(['  HTTP_PORT: must be a whole number from 0 to 65535 (got "abc")']);
  });
});
