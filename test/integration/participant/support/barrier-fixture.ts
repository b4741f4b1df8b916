// A real participant database for barrier tests: the SDK's migration, a `ledger` business
// table, and a credit handler that writes to it and counts its own invocations.
import type { Pool } from 'pg';
import type { CommandMessage, StepAction } from '@saga-coordinator/participant/protocol';
import { BarrierCommandProcessor } from '../../../../packages/participant/src/barrier-processor';
import { HandlerRegistry } from '../../../../packages/participant/src/handler-registry';
import { migrateParticipantSchema, type ParticipantLogger, type StepHandler, failure, retry, success } from '@saga-coordinator/participant';
import { createTestDatabase, testPool, type TestDatabase } from '../../../support/test-infra';

export interface ReserveInput {
  account: string;
  amount: number;
}
export interface ReserveOutput {
  reservationId: number;
}

export interface LogEntry {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

export interface BarrierFixture {
  db: TestDatabase;
  pool: Pool;
  calls: { execute: number; compensate: number; compensatedWith: unknown[] };
  logs: LogEntry[];
  /** Per-test behaviour overrides of the handler, keyed by saga id. */
  behaviour: Map<string, 'throw' | 'retry' | 'slow' | 'garbage'>;
  processor(options?: { skipExpiredExecutes?: boolean; pool?: Pool }): BarrierCommandProcessor;
  ledger(sagaId: string): Promise<{ kind: string; amount: number }[]>;
  barrierRows(sagaId: string): Promise<{ step: string; action: string; state: string }[]>;
  close(): Promise<void>;
}

export function recordingLogger(logs: LogEntry[]): ParticipantLogger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push({ level, message, fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function startBarrierFixture(): Promise<BarrierFixture> {
  const db = await createTestDatabase('participant_barrier');
  const pool = testPool(db.url, 6);
  await migrateParticipantSchema(pool);
  await pool.query('create table ledger (id serial primary key, saga_id text not null, kind text not null, amount int not null)');
  const calls = { execute: 0, compensate: 0, compensatedWith: [] as unknown[] };
  const logs: LogEntry[] = [];
  const behaviour = new Map<string, 'throw' | 'retry' | 'slow' | 'garbage'>();

  const credit: StepHandler<ReserveInput, ReserveOutput> = {
    command: 'credit.reserve',
    compensation: 'credit.release',
    inputSchema: { type: 'object', required: ['account', 'amount'], properties: { amount: { type: 'integer', minimum: 1 } } },
    async execute(input, ctx) {
      calls.execute += 1;
      const res = await ctx.tx.query<{ id: number }>("insert into ledger (saga_id, kind, amount) values ($1, 'reserve', $2) returning id", [ctx.sagaId, input.amount]);
      const mode = behaviour.get(ctx.sagaId);
      if (mode === 'slow') await new Promise((r) => setTimeout(r, 300));
      if (mode === 'throw') throw new Error('the ledger service is confused');
      if (mode === 'retry') return retry('ledger busy', 'BUSY');
      if (mode === 'garbage') return { reservationId: 1 } as never;
      // Written above and then refused: the barrier must roll the write back.
      if (input.amount > 100) return failure('INSUFFICIENT_CREDIT', `account ${input.account} cannot cover ${input.amount}`);
      return success({ reservationId: res.rows[0].id });
    },
    async compensate({ input, output }, ctx) {
      calls.compensate += 1;
      calls.compensatedWith.push(output);
      if (behaviour.get(ctx.sagaId) === 'throw') throw new Error('release failed');
      await ctx.tx.query("insert into ledger (saga_id, kind, amount) values ($1, 'release', $2)", [ctx.sagaId, input.amount]);
      return success({ released: input.amount });
    },
  };
  const registry = new HandlerRegistry();
  registry.register(credit as never);

  return {
    db,
    pool,
    calls,
    logs,
    behaviour,
    processor: (options = {}) =>
      new BarrierCommandProcessor(options.pool ?? pool, registry, {
        participant: 'payments',
        skipExpiredExecutes: options.skipExpiredExecutes ?? true,
        logger: recordingLogger(logs),
        now: () => Date.now(),
      }),
    ledger: async (sagaId) => (await pool.query('select kind, amount from ledger where saga_id = $1 order by id', [sagaId])).rows,
    barrierRows: async (sagaId) => (await pool.query('select step, action, state from participant_barrier where saga_id = $1 order by step, action', [sagaId])).rows,
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}

export function command(sagaId: string, action: StepAction, attempt = 1, overrides: Partial<CommandMessage> = {}): CommandMessage {
  const step = overrides.step ?? 'reserveCredit';
  return {
    protocolVersion: 1,
    messageId: `${sagaId}:${step}:${action}:${attempt}`,
    sagaId,
    definition: { name: 'order', version: 1 },
    step,
    action,
    attempt,
    commandType: action === 'execute' ? 'credit.reserve' : 'credit.release',
    replyTopic: 'saga.replies',
    deadlineAt: new Date(Date.now() + 30_000).toISOString(),
    payload: action === 'execute' ? { account: 'a-1', amount: 40 } : { input: { account: 'a-1', amount: 40 }, output: null },
    ...overrides,
  };
}
