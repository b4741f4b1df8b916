// `npm run demo` as a user runs it: it must end with exit code 0 and a consistent
// summary, and leave nothing behind — no child process, database or topic — also when
// interrupted with Ctrl-C half-way.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { waitFor } from '../../support/saga-waits';
import { infraEnv } from '../../support/test-infra';

const ROOT = join(__dirname, '..', '..', '..');

interface Run {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

function runDemo(command: string, args: string[]): Run {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out, exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)))) };
}

const runIdOf = (output: string) => /topics \(demo-([a-z0-9]+)\.\*\)/.exec(output)?.[1];

/** Processes whose parent is `pid` (from /proc, as `pgrep -P` would). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return kids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function leftovers(runId: string): Promise<{ databases: string[]; topics: string[] }> {
  const url = new URL(infraEnv().DATABASE_URL);
  url.pathname = '/postgres';
  const pg = new Client({ connectionString: url.toString() });
  await pg.connect();
  const dbs = await pg.query<{ datname: string }>('select datname from pg_database where datname like $1', [`saga_demo_${runId}_%`]);
  await pg.end();
  const admin = new Kafka({ clientId: 'demo-test', brokers: infraEnv().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`demo-${runId}.`));
  await admin.disconnect();
  return { databases: dbs.rows.map((r) => r.datname), topics };
}

describe('npm run demo', () => {
  it('runs orders to the end, checks the business data, exits 0 and cleans up', async () => {
    const run = runDemo('npm', ['run', '--silent', 'demo', '--', '--orders', '40', '--rate', '20']);
    const code = await run.exit;
    const output = run.output();
    expect({ code, tail: output.slice(-3000) }).toMatchObject({ code: 0 });
    expect(output).toMatch(/sagas submitted\s+40/);
    expect(output).toMatch(/still running\s+0/);
    expect(output).toMatch(/ok {2}\d+ completed orders/);
    expect(output).toMatch(/ok {2}\d+ compensated orders/);
    expect(output).toMatch(/ok {2}credit conserved for 48 customers, stock conserved for 5 SKUs/);
    const completed = Number(/^ {2}completed\s+(\d+)$/m.exec(output)![1]);
    const compensated = Number(/^ {2}compensated\s+(\d+)/m.exec(output)![1]);
    expect(completed + compensated).toBe(40);
    expect(await leftovers(runIdOf(output)!)).toEqual({ databases: [], topics: [] });
  }, 240_000);

  it('with --keep-running keeps its coordinator serving the dashboard, a key and moving /metrics until Ctrl-C', async () => {
    const run = runDemo(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/order-fulfilment/demo/demo.ts', '--orders', '40', '--rate', '20', '--keep-running']);
    const shown = await waitFor('the addresses', async () => (/metrics\s+(http:\S+)\/metrics/.test(run.output()) ? run.output() : undefined), 200_000, 250);
    const base = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\/ui\//.exec(shown)![1];
    const key = /API key \(admin\)\s+(sck_[0-9a-f]+)/.exec(shown)![1];
    const compensatedId = /a compensated order \S+\/ui\/#\/sagas\/([0-9a-f-]{36})/.exec(shown)?.[1];
    expect(shown).toMatch(/Demo OK/);
    const page = await fetch(`${base}/ui/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const auth = { Authorization: `Bearer ${key}` };
    // The seed's 40 orders include compensated ones; the one printed is one of them, with its reason in the saga.
    const compensated = (await (await fetch(`${base}/v1/sagas?status=COMPENSATED`, { headers: auth })).json()) as { items: { sagaId: string }[] };
    expect(compensated.items.length).toBeGreaterThan(0);
    expect(compensated.items.map((i) => i.sagaId)).toContain(compensatedId);
    const saga = (await (await fetch(`${base}/v1/sagas/${compensatedId}`, { headers: auth })).json()) as { status: string; compensationReason: { message: string } | null };
    expect(saga.status).toBe('COMPENSATED');
    expect(saga.compensationReason?.message).toEqual(expect.any(String));
    expect((await fetch(`${base}/v1/sagas`)).status).toBe(401);
    // New orders keep arriving: the started counter moves.
    const started = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/^saga_coordinator_sagas_started_total\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await started();
    expect(before).toBeGreaterThanOrEqual(40);
    await waitFor('/metrics to move', async () => ((await started()) > before ? true : undefined), 30_000, 500);
    const kids = childrenOf(run.child.pid!);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(kids.filter(alive)).toEqual([]);
    expect(await leftovers(runIdOf(run.output())!)).toEqual({ databases: [], topics: [] });
  }, 300_000);

  it('stops its children and drops its databases when interrupted with Ctrl-C', async () => {
    const run = runDemo(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/order-fulfilment/demo/demo.ts', '--orders', '2000', '--rate', '10']);
    await waitFor('the demo to submit orders', async () => (run.output().includes('4/5') ? true : undefined), 180_000, 250);
    const kids = childrenOf(run.child.pid!);
    expect(kids.length).toBeGreaterThanOrEqual(5); // the coordinator and four participants
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(kids.filter(alive)).toEqual([]);
    expect(await leftovers(runIdOf(run.output())!)).toEqual({ databases: [], topics: [] });
  }, 240_000);
});
