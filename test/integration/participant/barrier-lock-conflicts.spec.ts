// Rows many sagas update (a stock level) make concurrent chunks deadlock when they lock
// them in different orders: PostgreSQL aborts one of them. The barrier runs a command
// that lost such a race again in a transaction of its own, so it applies once and is
// answered success, instead of a `retry` that under contention deadlocks again.
import type { Pool } from 'pg';
import type { CommandMessage } from '@saga-coordinator/participant/protocol';
import { migrateParticipantSchema, success, type StepHandler } from '@saga-coordinator/participant';
import { BarrierCommandProcessor } from '../../../packages/participant/src/barrier-processor';
import { HandlerRegistry } from '../../../packages/participant/src/handler-registry';
import { recordingLogger, type LogEntry } from './support/barrier-fixture';
import { createTestDatabase, testPool, type TestDatabase } from '../../support/test-infra';

interface ReserveStock {
  skus: string[];
}

function reserve(sagaId: string, skus: string[]): CommandMessage {
  return {
    protocolVersion: 1,
    messageId: `${sagaId}:reserveStock:execute:1`,
    sagaId,
    definition: { name: 'order', version: 1 },
    step: 'reserveStock',
    action: 'execute',
    attempt: 1,
    commandType: 'stock.reserve',
    replyTopic: 'saga.replies',
    deadlineAt: new Date(Date.now() + 60_000).toISOString(),
    payload: { skus },
  };
}

describe('the barrier under lock conflicts between chunks (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const logs: LogEntry[] = [];
  let processor: BarrierCommandProcessor;

  beforeAll(async () => {
    db = await createTestDatabase('participant_locks');
    pool = testPool(db.url, 6);
    await migrateParticipantSchema(pool);
    // A short deadlock_timeout keeps the test quick; the conflict is the same as with the default.
    await pool.query(`alter database "${db.name}" set deadlock_timeout = '100ms'`);
    await pool.query("create table stock (sku text primary key, reserved int not null default 0); insert into stock (sku) values ('A'), ('B')");
    const handler: StepHandler<ReserveStock, null> = {
      command: 'stock.reserve',
      async execute({ skus }, { tx }) {
        for (const sku of skus) {
          await tx.query('update stock set reserved = reserved + 1 where sku = $1', [sku]);
          await tx.query('select pg_sleep(0.02)');
        }
        return success(null);
      },
    };
    const registry = new HandlerRegistry();
    registry.register(handler as never);
    processor = new BarrierCommandProcessor(pool, registry, { participant: 'inventory', skipExpiredExecutes: true, logger: recordingLogger(logs), now: () => Date.now() });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('applies every command of two chunks that lock the same rows in opposite orders, each once', async () => {
    const chunk = (name: string, skus: string[]) => Array.from({ length: 4 }, (_, i) => reserve(`${name}-${i}`, skus));
    const chunks = [chunk('ab', ['A', 'B']), chunk('ba', ['B', 'A']), chunk('ab2', ['A', 'B']), chunk('ba2', ['B', 'A'])];
    const replies = (await Promise.all(chunks.map((c) => processor.processBatch(c)))).flat();
    expect(replies.map((r) => r?.outcome)).toEqual(Array(16).fill('success'));
    const stock = (await pool.query('select sku, reserved from stock order by sku')).rows;
    expect(stock).toEqual([{ sku: 'A', reserved: 16 }, { sku: 'B', reserved: 16 }]);
    const rows = (await pool.query("select state, count(*)::int as n from participant_barrier group by state")).rows;
    expect(rows).toEqual([{ state: 'APPLIED', n: 16 }]);
    // Having seen the conflicts, it runs one command per transaction for a while: the next wave applies without any.
    expect(logs.filter((l) => l.message.startsWith('lock conflicts between chunks'))).toHaveLength(1);
    const next = [chunk('ab3', ['A', 'B']), chunk('ba3', ['B', 'A'])];
    const calm = (await Promise.all(next.map((c) => processor.processBatch(c)))).flat();
    expect(calm.map((r) => r?.outcome)).toEqual(Array(8).fill('success'));
    expect((await pool.query('select sum(reserved)::int as n from stock')).rows[0].n).toBe(48);
  });
});
