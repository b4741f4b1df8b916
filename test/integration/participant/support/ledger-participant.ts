// A small SDK participant over a real database: `payments` reserves credit by writing
// a ledger row, and releases it by writing another. Used by the Kafka-level tests and
// by the crash fixture (a separate process).
import type { Pool } from 'pg';
import { Participant, type ParticipantOptions, failure, success } from '@saga-coordinator/participant';

export interface LedgerInput {
  account: string;
  amount: number;
}

export const LEDGER_TABLE_SQL = 'create table if not exists ledger (id serial primary key, saga_id text not null, kind text not null, amount int not null)';

export function ledgerParticipant(options: Omit<ParticipantOptions, 'name'> & { name?: string }, calls = { execute: 0, compensate: 0 }): Participant {
  return new Participant({ ...options, name: options.name ?? 'payments' }).handle<LedgerInput, { reservationId: number }>({
    command: 'credit.reserve',
    compensation: 'credit.release',
    async execute(input, ctx) {
      calls.execute += 1;
      if (input.amount > 100) return failure('INSUFFICIENT_CREDIT', `cannot cover ${input.amount}`);
      const res = await ctx.tx.query<{ id: number }>("insert into ledger (saga_id, kind, amount) values ($1, 'reserve', $2) returning id", [ctx.sagaId, input.amount]);
      return success({ reservationId: res.rows[0].id });
    },
    async compensate({ input }, ctx) {
      calls.compensate += 1;
      await ctx.tx.query("insert into ledger (saga_id, kind, amount) values ($1, 'release', $2)", [ctx.sagaId, input.amount]);
      return success();
    },
  });
}

export async function ledgerRows(pool: Pool, sagaId: string): Promise<{ id: number; kind: string; amount: number }[]> {
  return (await pool.query('select id, kind, amount from ledger where saga_id = $1 order by id', [sagaId])).rows;
}
