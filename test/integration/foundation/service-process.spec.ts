// The service as users run it: a separate process, started, probed and stopped with SIGTERM.
import { randomPort, startCoordinatorProcess as startService, waitForReady } from '../../support/coordinator-process';
import { createTestDatabase, infraEnv, TestDatabase, uniqueName } from '../../support/test-infra';

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

  it('refuses to start with an unreachable DATABASE_URL and says which variable', async () => {
    const svc = startService({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing', KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: '0' });
    expect(await svc.exited).toBe(1);
    expect(svc.output()).toMatch(/Cannot connect to PostgreSQL at DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:1\/nothing/);
  });

  it('refuses to start with an unreachable KAFKA_BROKERS and says which variable', async () => {
    const svc = startService({ DATABASE_URL: db.url, KAFKA_BROKERS: '127.0.0.1:1', HTTP_PORT: '0' });
    expect(await svc.exited).toBe(1);
    expect(svc.output()).toMatch(/Cannot reach Kafka at KAFKA_BROKERS=127\.0\.0\.1:1/);
  });

  it('refuses a malformed DATABASE_URL before connecting to anything', async () => {
    const svc = startService({ DATABASE_URL: 'mysql://x', HTTP_PORT: '0' });
    expect(await svc.exited).toBe(1);
    expect(svc.output()).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
  });
});
