// The coordinator as users run it: a separate Node process (src/main.ts through ts-node).
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface CoordinatorProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function startCoordinatorProcess(env: Record<string, string>): CoordinatorProcess {
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

/** The environment of a coordinator process on a test's own database and topic prefix, with the shared broker. */
export function coordinatorEnv(databaseUrl: string, prefix: string, port: number, kafkaBrokers: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '4', HTTP_PORT: String(port), LOG_LEVEL: 'warn', ...extra };
}

export async function waitForReady(port: number, timeoutMs: number): Promise<number> {
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

export function randomPort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}
