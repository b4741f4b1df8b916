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
  const res = await client.query({
    name: 'barrier-insert',
    text: `insert into participant_barrier (saga_id, step, action, state, command_id) values ($1, $2, $3, $4, $5)
     on conflict (saga_id, step, action) do nothing`,
    values: [key.sagaId, key.step, key.action, state, commandId],
  });
  return res.rowCount === 1;
}

export async function findBarrierRow(client: PoolClient, key: BarrierKey): Promise<BarrierRow | undefined> {
  const res = await client.query<{ state: BarrierState; output: JsonValue | null; error: ReplyError | null; command_id: string | null }>({
    name: 'barrier-find',
    text: 'select state, output, error, command_id from participant_barrier where saga_id = $1 and step = $2 and action = $3',
    values: [key.sagaId, key.step, key.action],
  });
  const row = res.rows[0];
  return row && { ...key, state: row.state, output: row.output, error: row.error, commandId: row.command_id };
}

/** Records how a row this transaction inserted was decided. */
export async function settleBarrierRow(client: PoolClient, key: BarrierKey, state: Exclude<BarrierState, 'PENDING'>, result: { output?: JsonValue | null; error?: ReplyError | null }): Promise<void> {
  await client.query({
    name: 'barrier-settle',
    text: 'update participant_barrier set state = $4, output = $5::jsonb, error = $6::jsonb where saga_id = $1 and step = $2 and action = $3',
    values: [
      key.sagaId,
      key.step,
      key.action,
      state,
      result.output === undefined || result.output === null ? null : JSON.stringify(result.output),
      result.error ? JSON.stringify(result.error) : null,
    ],
  });
}

/**
 * Insert-or-ignore for many execute rows at once, in key order (two transactions inserting
 * overlapping keys then wait for each other in the same order and cannot deadlock). Returns
 * the keys this transaction inserted, as `sagaId|step|action`.
 */
export async function insertBarrierRows(client: PoolClient, rows: { key: BarrierKey; state: BarrierState; commandId: string | null }[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const sorted = [...rows].sort((a, b) => compareKeys(a.key, b.key));
  const res = await client.query<{ saga_id: string; step: string; action: string }>({
    name: 'barrier-insert-many',
    text: `insert into participant_barrier (saga_id, step, action, state, command_id)
     select saga_id, step, action, state, command_id from json_to_recordset($1::json) as t(saga_id text, step text, action text, state text, command_id text)
     on conflict (saga_id, step, action) do nothing
     returning saga_id, step, action`,
    values: [JSON.stringify(sorted.map((r) => ({ saga_id: r.key.sagaId, step: r.key.step, action: r.key.action, state: r.state, command_id: r.commandId })))],
  });
  return new Set(res.rows.map((r) => barrierKeyText({ sagaId: r.saga_id, step: r.step, action: r.action as BarrierKey['action'] })));
}

/** The rows of these keys, by `sagaId|step|action`. */
export async function findBarrierRows(client: PoolClient, keys: BarrierKey[]): Promise<Map<string, BarrierRow>> {
  if (keys.length === 0) return new Map();
  const res = await client.query<{ saga_id: string; step: string; action: BarrierKey['action']; state: BarrierState; output: JsonValue | null; error: ReplyError | null; command_id: string | null }>({
    name: 'barrier-find-many',
    text: `select b.saga_id, b.step, b.action, b.state, b.output, b.error, b.command_id
       from participant_barrier b join json_to_recordset($1::json) as k(saga_id text, step text, action text)
         on b.saga_id = k.saga_id and b.step = k.step and b.action = k.action`,
    values: [JSON.stringify(keys.map((k) => ({ saga_id: k.sagaId, step: k.step, action: k.action })))],
  });
  return new Map(res.rows.map((r) => [barrierKeyText({ sagaId: r.saga_id, step: r.step, action: r.action }), { sagaId: r.saga_id, step: r.step, action: r.action, state: r.state, output: r.output, error: r.error, commandId: r.command_id }]));
}

/** Records how many rows this transaction inserted were decided, in one statement. */
export async function settleBarrierRows(client: PoolClient, rows: { key: BarrierKey; state: Exclude<BarrierState, 'PENDING'>; output: JsonValue | null; error: ReplyError | null }[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query({
    name: 'barrier-settle-many',
    text: `update participant_barrier b set state = r.state, output = r.output, error = r.error
       from json_to_recordset($1::json) as r(saga_id text, step text, action text, state text, output jsonb, error jsonb)
      where b.saga_id = r.saga_id and b.step = r.step and b.action = r.action`,
    values: [JSON.stringify(rows.map((r) => ({ saga_id: r.key.sagaId, step: r.key.step, action: r.key.action, state: r.state, output: r.output, error: r.error })))],
  });
}

export function barrierKeyText(key: BarrierKey): string {
  return `${key.sagaId}|${key.step}|${key.action}`;
}

function compareKeys(a: BarrierKey, b: BarrierKey): number {
  const x = barrierKeyText(a);
  const y = barrierKeyText(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
