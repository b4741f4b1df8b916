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

/** Polls readiness until its answer matches `pattern` (the process answers liveness while it still loads, readiness names what it waits for once loaded). */
async function waitForReadiness(port: number, pattern: RegExp, timeoutMs: number): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = { status: 0, body: '' };
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
    last = { status: res.status, body: await res.text() };
    if (pattern.test(last.body)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

async function waitForOutput(svc: { output(): string }, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(svc.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return svc.output();
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

  // A restarted replica is seen alive at once (issue 8): the port is bound before the application
  // loads, answers "starting" meanwhile, and is handed over without a moment of refused connections.
  it('answers while it loads, then as the application, and never refuses a connection in between', async () => {
    const port = randomPort();
    const svc = startService({ DATABASE_URL: db.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: String(port), KAFKA_TOPIC_PREFIX: uniqueName('proc') });
    const seen: string[] = [];
    try {
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline && seen.at(-1) !== 'ready') {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
          const body = await res.text();
          seen.push(res.status === 200 ? 'ready' : body.includes('"coordinator":{"status":"down","message":"the coordinator is starting') ? 'starting' : 'not ready');
        } catch {
          seen.push('refused');
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      // Collapse repeats: refused (not bound yet), starting (loading), maybe not ready (joining), ready.
      const phases = seen.filter((p, i) => p !== seen[i - 1]);
      expect([
        ['refused', 'starting', 'ready'],
        ['refused', 'starting', 'not ready', 'ready'],
      ]).toContainEqual(phases);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
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
      expect(await waitForReadiness(port, /"postgres"/, 30_000)).toEqual({ status: 503, body: expect.stringMatching(/"postgres":\{[^}]*"status":"down"/) });
      expect(await waitForOutput(svc, /waiting for PostgreSQL/, 30_000)).toMatch(/Cannot connect to PostgreSQL at DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:1\/nothing.*waiting for PostgreSQL/);
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
      expect(await waitForReadiness(port, /"kafka"/, 45_000)).toEqual({ status: 503, body: expect.stringMatching(/"kafka":\{[^}]*"status":"down"/) });
      expect(await waitForOutput(svc, /waiting for Kafka/, 45_000)).toMatch(/Cannot reach Kafka at KAFKA_BROKERS=127\.0\.0\.1:1.*waiting for Kafka/);
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

  it('reports a wrong setting before a taken port (the port is bound before the configuration is validated)', async () => {
    const port = randomPort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '0.0.0.0', resolve));
    try {
      const svc = startService({ DATABASE_URL: 'mysql://x', HTTP_PORT: String(port) });
      expect(await svc.exited).toBe(1);
      expect(svc.output()).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
      expect(svc.output()).not.toContain('is already in use');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('prints one sentence for a malformed HTTP_PORT', async () => {
    const svc = startService({ HTTP_PORT: 'abc' });
    expect(await svc.exited).toBe(1);
    const problems = svc.output().split('\n').filter((line) => line.includes('HTTP_PORT'));
    expect(problems).toEqual(['  HTTP_PORT: must be a whole number from 0 to 65535 (got "abc")']);
  });
});
