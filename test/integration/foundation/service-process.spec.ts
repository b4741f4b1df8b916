// The service as users run it: a separate process, started, probed and stopped with SIGTERM.
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, infraEnv, TestDatabase, uniqueName } from '../../support/test-infra';

const ROOT = join(__dirname, '..', '..', '..');

function startService(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForReady(port: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      last = res.status;
      if (res.status === 200) return 200;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
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
    const port = 20000 + Math.floor(Math.random() * 20000);
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
