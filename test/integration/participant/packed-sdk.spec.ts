// The participant SDK as another repository gets it: `npm pack` of the workspace, the
// tarball installed into an empty project outside this repository (nothing else but
// what the package itself declares, from the registry), a participant run from there
// with plain Node, and a saga of the real coordinator completing through it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { createTestDatabase, infraEnv, testPool, uniqueName, type TestDatabase } from '../../support/test-infra';
import { startInProcessCoordinator, type InProcessCoordinator } from './support/coordinator';

const ROOT = join(__dirname, '..', '..', '..');
const PACKAGE = '@saga-coordinator/participant';

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const PARTICIPANT_JS = `
const { Participant, success } = require('${PACKAGE}');
const { topicNames } = require('${PACKAGE}/protocol');
const greeter = new Participant({
  name: 'greeter',
  kafka: { brokers: process.env.KAFKA_BROKERS.split(',') },
  topicPrefix: process.env.TOPIC_PREFIX,
  database: { url: process.env.DATABASE_URL },
  logger: 'warn',
});
greeter.handle({
  command: 'greeting.write',
  async execute(input, { tx, sagaId }) {
    await tx.query('insert into greetings (saga_id, text) values ($1, $2)', [sagaId, 'hello ' + input.name]);
    return success({ greeted: input.name });
  },
});
greeter.start().then(
  () => console.log('consuming ' + topicNames(process.env.TOPIC_PREFIX).commands('greeter')),
  (err) => { console.error(err); process.exit(1); },
);
process.once('SIGTERM', () => greeter.stop().then(() => process.exit(0)));
`;

// A TypeScript user's view: the declared types resolve, with Node's exports and with the older node10 resolution.
const CONSUMER_TS = `
import { Participant, success, type HandlerContext } from '${PACKAGE}';
import { parseProtocolMessage, type CommandMessage } from '${PACKAGE}/protocol';
import { KafkaBus } from '${PACKAGE}/kafka';
import { migrate } from '${PACKAGE}/migrator';
const p: Participant = new Participant({ name: 'typed', kafka: { brokers: ['127.0.0.1:9092'] } });
p.handle<{ n: number }, { doubled: number }>({ command: 'double', async execute(input, ctx: HandlerContext) { void ctx.sagaId; return success({ doubled: input.n * 2 }); } });
const parsed = parseProtocolMessage<CommandMessage>('command', '{}');
export const used = [parsed.ok, KafkaBus, migrate];
`;

describe('the participant SDK packed and installed into an empty project', () => {
  let project: string;
  let packDir: string;
  let packedFiles: string[];
  let c: InProcessCoordinator;
  let db: TestDatabase;
  let pool: Pool;
  let child: ChildProcess | undefined;
  let childOutput = '';

  beforeAll(async () => {
    packDir = mkdtempSync(join(tmpdir(), 'sdk-pack-'));
    project = mkdtempSync(join(tmpdir(), 'sdk-consumer-'));
    const [packed] = JSON.parse(run('npm', ['pack', '-w', PACKAGE, '--json', '--pack-destination', packDir], ROOT)) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed.files.map((f) => f.path);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'sdk-consumer', version: '1.0.0', private: true }));
    run('npm', ['install', '--prefer-offline', join(packDir, packed.filename)], project);
    writeFileSync(join(project, 'participant.js'), PARTICIPANT_JS);

    c = await startInProcessCoordinator();
    db = await createTestDatabase('packed_sdk');
    pool = testPool(db.url, 2);
    await pool.query('create table greetings (saga_id uuid primary key, text text not null)');
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    await pool?.end();
    await db?.drop();
    await c?.close();
    for (const dir of [project, packDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the build, its migrations, the schemas and the license, and no sources or tests', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/participant.module.js', 'migrations/0001_participant_barrier.sql', 'dist/protocol/schemas/dead-letter.schema.json']));
    expect(packedFiles.filter((f) => !/^(dist|migrations)\/|^(LICENSE|README\.md|package\.json)$/.test(f))).toEqual([]);
    expect(packedFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs only what the package declares: no NestJS without the optional peer', () => {
    const installed = readdirSync(join(project, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['@saga-coordinator', 'kafkajs', 'pg', 'ajv']));
    expect(existsSync(join(project, 'node_modules', '@nestjs'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'saga-coordinator'))).toBe(false);
  });

  it.each(['node16', 'node10'])('gives a TypeScript consumer its types (moduleResolution %s)', (resolution) => {
    writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS);
    const tsconfig = `tsconfig.${resolution}.json`;
    const module = resolution === 'node16' ? 'node16' : 'commonjs';
    writeFileSync(join(project, tsconfig), JSON.stringify({ compilerOptions: { module, moduleResolution: resolution, target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['consumer.ts'] }));
    // The repository's compiler: the consumer project installs nothing but the package.
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], project);
  });

  it('runs a participant from the installed package through which a saga of the real coordinator completes', async () => {
    child = spawn(process.execPath, ['participant.js'], {
      cwd: project,
      env: { PATH: process.env.PATH, KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, TOPIC_PREFIX: c.prefix, DATABASE_URL: db.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (childOutput += d));
    child.stderr!.on('data', (d) => (childOutput += d));
    await waitFor('the packed participant to consume', async () => (childOutput.includes(`consuming ${c.prefix}.commands.greeter`) ? true : undefined), 60_000);

    const name = uniqueName('greet').replace(/_/g, '-');
    await c.definitions.register({ name, steps: [{ name: 'greet', participant: 'greeter', command: 'greeting.write', input: { name: '$.input.name' }, timeoutMs: 10_000 }] });
    const { saga } = await c.engine.start({ definition: name, input: { name: 'Ada' }, actor: 'test' });

    expect(await waitForSagaStatus(c.pool, saga.sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'], 60_000)).toBe('COMPLETED');
    expect((await pool.query('select text from greetings where saga_id = $1', [saga.sagaId])).rows).toEqual([{ text: 'hello Ada' }]);
    const output = await c.pool.query("select state->'steps'->'greet'->'output' as output from saga_instances where saga_id = $1", [saga.sagaId]);
    expect(output.rows[0].output).toEqual({ greeted: 'Ada' });
    // The barrier migration shipped in the tarball was found and applied in the participant's database.
    expect((await pool.query('select count(*)::int as n from participant_schema_migrations')).rows[0].n).toBeGreaterThan(0);

    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child!.once('exit', (code) => resolve(code)))).toBe(0);
  }, 120_000);
});
