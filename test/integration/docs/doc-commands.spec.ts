// Every shell block of the README and docs/api.md runs as written against a coordinator
// started like a user's (first start, its printed key, the quickstart participants):
// each HTTP answer is a success or a documented refusal (409), never a 4xx from a
// pasted command that cannot work, never a 5xx. Blocks that start or install things
// are not run here (the test starts the coordinator itself); they must not call the API.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApiKeyList } from '../../../src/config/api-key-list';
import { randomPort, startCoordinatorProcess, waitForReady, type CoordinatorProcess } from '../../support/coordinator-process';
import { shellBlocks, type ShellBlock } from '../../support/doc-blocks';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, infraEnv, uniqueName, type TestDatabase } from '../../support/test-infra';

const ROOT = join(__dirname, '..', '..', '..');
const DOCS = ['README.md', 'docs/api.md'];
// A block that calls the API is run; the others must be one of these (they start, build or install).
const NOT_RUN = /\b(npm (start|test|ci|run (start:prod|demo|infra:up|quickstart:participants|bench|chaos|migrate))|docker compose|createdb)\b/;

/** bash that runs `block` with curl recording every HTTP status in $STATUS_LOG. */
function script(blocks: ShellBlock[], baseUrl: string): string {
  const prelude = [
    'set -euo pipefail',
    // The wrapper keeps curl's output as the block expects it and logs "status<TAB>block line".
    'curl() { local out; out=$(command curl -w "\\n%{http_code}" "$@"); printf "%s\\t%s\\n" "${out##*$\'\\n\'}" "$BLOCK" >> "$STATUS_LOG"; printf "%s" "${out%$\'\\n\'*}"; }',
  ];
  const body = blocks.map((b) =>
    [`BLOCK='${b.file}:${b.line}'`, b.text.replace(/^export KEY=sck_\.\.\..*$/m, ': "KEY is set by the test"').replaceAll('http://localhost:3000', baseUrl)].join('\n'),
  );
  return [...prelude, ...body].join('\n');
}

/** The block without its comments. */
function commands(b: ShellBlock): string {
  return b.text.replace(/(^|\s)#.*$/gm, '');
}

function runBash(source: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', source], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the shell blocks of the docs', () => {
  const blocks = DOCS.flatMap(shellBlocks);
  const runnable = blocks.filter((b) => /\bcurl\b|^export SAGA=/m.test(b.text));

  it('each either calls the API (and is run below) or only starts, builds or installs', () => {
    expect(runnable.length).toBeGreaterThan(10);
    const unclassified = blocks.filter((b) => !runnable.includes(b) && !NOT_RUN.test(b.text) && !/^API_KEYS=|^\s*(KAFKA|DATABASE)_/m.test(b.text));
    expect(unclassified.map((b) => `${b.file}:${b.line}`)).toEqual([]);
    for (const b of runnable) expect({ block: `${b.file}:${b.line}`, startsSomething: NOT_RUN.test(commands(b)) }).toEqual({ block: `${b.file}:${b.line}`, startsSomething: false });
  });

  it('gives API_KEYS examples that the coordinator accepts', async () => {
    const examples = blocks.flatMap((b) => [...b.text.matchAll(/API_KEYS="([^"]+)"/g)].map((m) => m[1]));
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const expanded = await new Promise<string>((resolve, reject) => execFile('bash', ['-c', `printf %s "${example}"`], (err, out) => (err ? reject(err) : resolve(out))));
      expect({ example, ok: parseApiKeyList(expanded).ok }).toEqual({ example, ok: true });
    }
  });

  describe('run against a started coordinator', () => {
    let db: TestDatabase;
    let coordinator: CoordinatorProcess;
    let participants: ReturnType<typeof spawn>;
    let work: string;
    let key: string;
    let baseUrl: string;

    beforeAll(async () => {
      db = await createTestDatabase('saga_docs');
      work = mkdtempSync(join(tmpdir(), 'doc-commands-'));
      const port = randomPort();
      const prefix = uniqueName('docs');
      baseUrl = `http://127.0.0.1:${port}`;
      // No API_KEYS: the first start prints the admin key, as for a new user.
      coordinator = startCoordinatorProcess({ DATABASE_URL: db.url, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, HTTP_PORT: String(port), KAFKA_TOPIC_PREFIX: prefix, API_KEYS: '', API_AUTH: '' });
      expect(await waitForReady(port, 60_000)).toBe(200);
      key = await waitFor('the first-start key', async () => /sck_[A-Za-z0-9_-]{43}/.exec(coordinator.output())?.[0], 20_000);
      participants = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/quickstart/quickstart-participants.ts'], {
        cwd: ROOT,
        env: { ...process.env, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, KAFKA_TOPIC_PREFIX: prefix },
      });
      let out = '';
      participants.stdout!.on('data', (d) => (out += d));
      participants.stderr!.on('data', (d) => (out += d));
      await waitFor('the quickstart participants', async () => (out.includes('ready:') ? true : undefined), 60_000);
    }, 120_000);

    afterAll(async () => {
      participants?.kill('SIGTERM');
      coordinator?.child.kill('SIGTERM');
      await coordinator?.exited;
      await db?.drop();
      rmSync(work, { recursive: true, force: true });
    });

    it.each(DOCS)('runs every API block of %s in order; the README saga completes, then compensates', async (file) => {
      const statusLog = join(work, `${file.replace(/\W/g, '_')}.log`);
      const result = await runBash(script(runnable.filter((b) => b.file === file), baseUrl), { KEY: key, STATUS_LOG: statusLog, SAGA: baseUrl });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const statuses = readFileSync(statusLog, 'utf8').trim().split('\n').map((l) => l.split('\t'));
      expect(statuses.length).toBeGreaterThan(3);
      // 409 is a documented refusal (e.g. cancelling the example saga, which has completed).
      expect(statuses.filter(([status]) => !/^(2\d\d|409)$/.test(status))).toEqual([]);
      // curl -s prints no final newline, so a status printed after a JSON answer ends that line.
      const printedStatuses = result.stdout.split('\n').flatMap((l) => /(RUNNING|COMPENSATING|COMPLETED|COMPENSATED|FAILED)$/.exec(l)?.[1] ?? []);
      if (file === 'README.md') expect(printedStatuses).toEqual(['COMPLETED', 'COMPENSATED']);
    }, 120_000);
  });
});
