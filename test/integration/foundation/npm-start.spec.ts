// The commands of the README as a user runs them on one checkout, again and again:
// `npm run build` twice and `npm run start:prod`, then `npm start` stopped by a signal
// sent to the npm process itself. Each start must reach ready; each signal must stop
// the coordinator cleanly (it leaves its consumer group at once, exits 0) and leave no
// process behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { randomPort, waitForReady } from '../../support/coordinator-process';
import { createTestDatabase, infraEnv, uniqueName, type TestDatabase } from '../../support/test-infra';

const ROOT = join(__dirname, '..', '..', '..');

/** The processes of one process group (the npm process and everything it started), zombies excluded. */
function processGroup(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

async function healthAnswers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

async function groupMembers(groupId: string): Promise<number> {
  const admin = new Kafka({ clientId: 'npm-start-spec', brokers: infraEnv().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0].members.length;
  } finally {
    await admin.disconnect();
  }
}

interface NpmRun {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function npm(args: string[], env: Record<string, string>): NpmRun {
  // Its own process group, so that the test can find every process it started, orphans included.
  const child = spawn('npm', args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('npm start, npm run build and npm run start:prod on the same checkout', () => {
  let db: TestDatabase;
  const started: NpmRun[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('npm_start');
  });

  afterAll(async () => {
    for (const run of started) for (const pid of processGroup(run.child.pid!)) process.kill(pid, 'SIGKILL');
    await db?.drop();
  });

  function env(port: number, prefix: string): Record<string, string> {
    return { DATABASE_URL: db.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: String(port), KAFKA_TOPIC_PREFIX: prefix, LOG_FORMAT: 'json', API_AUTH: 'disabled', HTTP_HOST: '127.0.0.1', API_KEYS: '' };
  }

  /** Starts `npm <args>`, waits for ready, signals the npm process only, and checks that everything stopped cleanly. */
  async function startAndStop(args: string[], signal: NodeJS.Signals): Promise<void> {
    const port = randomPort();
    const prefix = uniqueName('npmstart');
    const run = npm(args, env(port, prefix));
    started.push(run);
    expect(await waitForReady(port, 120_000)).toBe(200);
    expect(processGroup(run.child.pid!).length).toBeGreaterThan(1);
    expect(await groupMembers(`${prefix}-coordinator`)).toBe(1);

    process.kill(run.child.pid!, signal);
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain(`received ${signal}, shutting down`);
    expect(run.output()).not.toMatch(/shutdown failed|UnhandledPromiseRejection/);
    // Nothing keeps running: not the coordinator, not an orphan of npm's shell.
    expect(processGroup(run.child.pid!)).toEqual([]);
    expect(await healthAnswers(port)).toBe(false);
    // It left its consumer group on the way out rather than waiting for the session to time out.
    expect(await groupMembers(`${prefix}-coordinator`)).toBe(0);
  }

  it('builds twice in a row, and start:prod then serves and stops on SIGTERM', async () => {
    for (let i = 0; i < 2; i++) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
      expect({ status: build.status, stderr: build.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
      expect(existsSync(join(ROOT, 'dist', 'main.js'))).toBe(true);
      expect(existsSync(join(ROOT, 'packages', 'participant', 'dist', 'index.js'))).toBe(true);
    }
    await startAndStop(['run', 'start:prod'], 'SIGTERM');
  }, 240_000);

  it.each<NodeJS.Signals>(['SIGTERM', 'SIGINT'])('npm start builds, serves, and stops cleanly on %s sent to the npm process', async (signal) => {
    await startAndStop(['start'], signal);
  }, 240_000);
});
