// SQL of the barrier table (migrations/0001_participant_barrier.sql), one operation per
// function. All of them run on the client of the transaction that runs the handler.
import type { PoolClient } from 'pg';
import type { JsonValue } from './protocol/json';
import type { ReplyError, StepAction } from './protocol/protocol';

export type BarrierState = 'PENDING' | 'APPLIED' | 'FAILED' | 'BLOCKED' | 'NULL';

export interface BarrierKey {
  sagaId: string;
  step: string;
  action: StepAction;
}

export interface BarrierRow extends BarrierKey {
  state: BarrierState;
  output: JsonValue | null;
  error: ReplyError | null;
  commandId: string | null;
}

/**
 * Insert-or-ignore. True when this transaction inserted the row, i.e. the action
 * was not decided before. While another transaction holds an uncommitted row for
 * the same key this waits for it, which is what makes concurrent deliveries of
 * one command apply once.
 */
export async function insertBarrierRow(client: PoolClient, key: BarrierKey, state: BarrierState, commandId: string | null): Promise<boolean> {
  const res = await client.query(
    `insert into participant_barrier (saga_id, step, action, state, command_id) values ($1, $2, $3, $4, $5)
     on conflict (saga_id, step, action) do nothing`,
    [key.sagaId, key.step, key.action, state, commandId],
  );
  return res.rowCount === 1;
}

export async function findBarrierRow(client: PoolClient, key: BarrierKey): Promise<BarrierRow | undefined> {
  const res = await client.query<{ state: BarrierState; output: JsonValue | null; error: ReplyError | null; command_id: string | null }>(
    'select state, output, error, command_id from participant_barrier where saga_id = $1 and step = $2 and action = $3',
    [key.sagaId, key.step, key.action],
  );
  const row = res.rows[0];
  return row && { ...key, state: row.state, output: row.output, error: row.error, commandId: row.command_id };
}

/** Records how a row this transaction inserted was decided. */
export async function settleBarrierRow(client: PoolClient, key: BarrierKey, state: Exclude<BarrierState, 'PENDING'>, result: { output?: JsonValue | null; error?: ReplyError | null }): Promise<void> {
  await client.query('update participant_barrier set state = $4, output = $5::jsonb, error = $6::jsonb where saga_id = $1 and step = $2 and action = $3', [
    key.sagaId,
    key.step,
    key.action,
    state,
    result.output === undefined || result.output === null ? null : JSON.stringify(result.output),
    result.error ? JSON.stringify(result.error) : null,
  ]);
}
