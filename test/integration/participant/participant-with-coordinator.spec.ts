// SDK participants driven by the real coordinator: sagas complete and compensate, a
// participant process killed between its commit and its reply recovers by redelivery,
// and the NestJS module serves handlers that Nest constructs.
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Pool } from 'pg';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { Participant, type CompensationData, type HandlerContext, type StepHandler, failure, success } from '@saga-coordinator/participant';
import { ParticipantModule } from '@saga-coordinator/participant/nest';
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { createTestDatabase, testPool, infraEnv, uniqueName, type TestDatabase } from '../../support/test-infra';
import { InProcessCoordinator, startInProcessCoordinator } from './support/coordinator';
import { LEDGER_TABLE_SQL, ledgerParticipant, ledgerRows } from './support/ledger-participant';

const ROOT = join(__dirname, '..', '..', '..');
const brokers = infraEnv().KAFKA_BROKERS.split(',');
const ENDED = ['COMPLETED', 'COMPENSATED', 'FAILED'];

function definition(steps: SagaDefinition['steps']): SagaDefinition {
  return { name: uniqueName('sdk').replace(/_/g, '-'), steps };
}

const reserveStep = (timeoutMs: number, participant = 'payments') => ({
  name: 'reserveCredit',
  participant,
  command: 'credit.reserve',
  compensation: 'credit.release',
  input: { account: '$.input.account', amount: '$.input.amount' },
  timeoutMs,
  retry: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 200, multiplier: 2, jitter: 0, minRetryWindowMs: 0 },
});

describe('SDK participants with the real coordinator', () => {
  let c: InProcessCoordinator;
  let db: TestDatabase;
  let pool: Pool;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    c = await startInProcessCoordinator();
    db = await createTestDatabase('participant_payments');
    pool = testPool(db.url, 2);
    await pool.query(LEDGER_TABLE_SQL);
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await pool?.end();
    await db?.drop();
    await c?.close();
  });

  async function start(def: SagaDefinition, input: object): Promise<string> {
    await c.definitions.register(def);
    const { saga } = await c.engine.start({ definition: def.name, input: input as never, actor: 'test' });
    return saga.sagaId;
  }

  it('completes a saga, and compensates the SDK step when a later step fails for business reasons', async () => {
    const payments = ledgerParticipant({ kafka: { brokers }, topicPrefix: c.prefix, database: { url: db.url }, groupId: uniqueName('payments'), logger: 'silent' });
    const shipping = new Participant({ name: 'shipping', kafka: { brokers }, topicPrefix: c.prefix, database: { url: db.url }, logger: 'silent' }).handle<{ country: string }, { trackingId: string }>({
      command: 'shipment.schedule',
      async execute(input) {
        return input.country === 'XX' ? failure('NO_CARRIER', `no carrier ships to ${input.country}`) : success({ trackingId: 't-1' });
      },
    });
    await payments.start();
    await shipping.start();
    stops.push(() => payments.stop(), () => shipping.stop());

    const def = definition([reserveStep(5000), { name: 'ship', participant: 'shipping', command: 'shipment.schedule', input: { country: '$.input.country' }, timeoutMs: 5000 }]);
    const ok = await start(def, { account: 'a-1', amount: 30, country: 'DE' });
    const refused = await start(def, { account: 'a-1', amount: 30, country: 'XX' });
    expect(await waitForSagaStatus(c.pool, ok, ENDED)).toBe('COMPLETED');
    expect(await waitForSagaStatus(c.pool, refused, ENDED)).toBe('COMPENSATED');
    expect((await ledgerRows(pool, ok)).map((r) => r.kind)).toEqual(['reserve']);
    expect((await ledgerRows(pool, refused)).map((r) => r.kind)).toEqual(['reserve', 'release']);
    const step = await c.pool.query("select state->'steps' as steps from saga_instances where saga_id = $1", [ok]);
    expect(JSON.stringify(step.rows[0].steps)).toContain('"trackingId":"t-1"');
    await payments.stop();
    await shipping.stop();
  });

  it('re-sends the reply after the participant process died between its commit and its reply', async () => {
    const groupId = uniqueName('payments-crash');
    // A long attempt timeout: the saga can only finish through the re-sent reply of attempt 1.
    const def = definition([reserveStep(120_000, 'vault')]);
    const child = spawnCrashingParticipant(groupId);
    stops.push(async () => void child.kill('SIGKILL'));
    await waitFor('the crashing participant to be ready', async () => (childOutput(child).includes('ready') ? true : undefined), 60_000);
    const sagaId = await start(def, { account: 'a-1', amount: 25 });

    const exit = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    expect(exit).toBe('SIGKILL');
    const committed = await ledgerRows(pool, sagaId);
    expect(committed.map((r) => r.kind)).toEqual(['reserve']); // committed, but no reply went out
    expect(await waitForSagaStatus(c.pool, sagaId, ['RUNNING'])).toBe('RUNNING');

    const calls = { execute: 0, compensate: 0 };
    const successor = ledgerParticipant({ name: 'vault', kafka: { brokers }, topicPrefix: c.prefix, database: { url: db.url }, groupId, sessionTimeoutMs: 6_000, logger: 'silent' }, calls);
    stops.push(() => successor.stop());
    await successor.start();
    expect(await waitForSagaStatus(c.pool, sagaId, ENDED, 60_000)).toBe('COMPLETED');
    expect(calls.execute).toBe(0); // answered from the barrier, not run again
    expect(await ledgerRows(pool, sagaId)).toEqual(committed);
    const attempts = await c.pool.query('select attempt, status, output from step_attempts where saga_id = $1', [sagaId]);
    expect(attempts.rows).toEqual([{ attempt: 1, status: 'SUCCEEDED', output: { reservationId: committed[0].id } }]);
    await successor.stop();
  }, 120_000);

  it('serves handler classes constructed by Nest through ParticipantModule, compensations included', async () => {
    @Injectable()
    class Tariffs {
      readonly refunds: unknown[] = [];
      priceOf(weightKg: number): number {
        return 5 + weightKg * 2;
      }
    }
    @Injectable()
    class QuoteHandler implements StepHandler<{ weightKg: number }, { price: number }> {
      readonly command = 'shipment.quote';
      readonly compensation = 'shipment.unquote';
      constructor(private readonly tariffs: Tariffs) {}
      async execute(input: { weightKg: number }, ctx: HandlerContext) {
        await ctx.tx.query('select 1');
        return success({ price: this.tariffs.priceOf(input.weightKg) });
      }
      async compensate(data: CompensationData<{ weightKg: number }, { price: number }>) {
        this.tariffs.refunds.push(data.output);
        return success();
      }
    }
    @Injectable()
    class BookHandler implements StepHandler<{ weightKg: number }, null> {
      readonly command = 'shipment.book';
      async execute(input: { weightKg: number }) {
        return input.weightKg > 10 ? failure('TOO_HEAVY', `${input.weightKg} kg is over the limit`) : success(null);
      }
    }
    @Module({ providers: [Tariffs], exports: [Tariffs] })
    class TariffModule {}
    @Module({
      imports: [
        TariffModule,
        ParticipantModule.forRoot({
          imports: [TariffModule],
          useFactory: () => ({ name: 'quotes', kafka: { brokers }, topicPrefix: c.prefix, database: { url: db.url }, logger: 'silent' as const }),
          handlers: [QuoteHandler, BookHandler],
        }),
      ],
    })
    class QuoteService {}

    const app = await NestFactory.createApplicationContext(QuoteService, { logger: false });
    await app.init();
    stops.push(() => app.close());
    const def = definition([
      { name: 'quote', participant: 'quotes', command: 'shipment.quote', compensation: 'shipment.unquote', input: { weightKg: '$.input.kg' }, timeoutMs: 5000 },
      { name: 'book', participant: 'quotes', command: 'shipment.book', input: { weightKg: '$.input.kg' }, timeoutMs: 5000 },
    ]);
    const light = await start(def, { kg: 3 });
    const heavy = await start(def, { kg: 12 });
    expect(await waitForSagaStatus(c.pool, light, ENDED)).toBe('COMPLETED');
    expect(await waitForSagaStatus(c.pool, heavy, ENDED)).toBe('COMPENSATED');
    const quoted = await c.pool.query("select output from step_attempts where saga_id = $1 and step = 'quote' and action = 'execute'", [light]);
    expect(quoted.rows).toEqual([{ output: { price: 11 } }]);
    expect(app.get(Tariffs).refunds).toEqual([{ price: 29 }]);
    await app.close();
  });

  function spawnCrashingParticipant(groupId: string): ChildProcess {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'fixtures', 'crash-after-commit-participant.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: c.prefix, GROUP_ID: groupId, PARTICIPANT_NAME: 'vault' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    outputs.set(child, () => out);
    return child;
  }
});

const outputs = new WeakMap<ChildProcess, () => string>();
function childOutput(child: ChildProcess): string {
  return outputs.get(child)?.() ?? '';
}
