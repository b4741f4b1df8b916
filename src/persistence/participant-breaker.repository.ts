// Circuit breakers, one row per participant, shared by every replica. The engine locks
// the rows of the participants a transaction has answers from (after the saga rows, in
// participant order) only while a participant is failing or recovering: a healthy
// participant's breaker is never written.
import type { Breaker, BreakerState } from '../core/participant-breaker';
import type { Queryable } from './queryable';

interface Row {
  participant: string;
  state: BreakerState;
  since: Date;
  reason: string | null;
  changed_by: string;
  failures: number;
}

const toBreaker = (r: Row): Breaker => ({ participant: r.participant, state: r.state, since: r.since.getTime(), reason: r.reason, changedBy: r.changed_by, failures: r.failures });

export async function listBreakers(db: Queryable): Promise<Breaker[]> {
  const res = await db.query<Row>('select participant, state, since, reason, changed_by, failures from participant_breakers order by participant');
  return res.rows.map(toBreaker);
}

/** Locks the breakers of these participants (in participant order); missing ones are simply absent. */
export async function lockBreakers(db: Queryable, participants: string[]): Promise<Map<string, Breaker>> {
  if (participants.length === 0) return new Map();
  const res = await db.query<Row>(
    'select participant, state, since, reason, changed_by, failures from participant_breakers where participant = any($1::text[]) order by participant for update',
    [participants],
  );
  return new Map(res.rows.map((r) => [r.participant, toBreaker(r)]));
}

/** Stores breakers and records the state changes in the history. */
export async function saveBreakers(db: Queryable, changes: { before: Breaker | null; after: Breaker }[]): Promise<void> {
  if (changes.length === 0) return;
  await db.query(
    `insert into participant_breakers (participant, state, since, reason, changed_by, failures, updated_at)
     select participant, state, to_timestamp(since / 1000.0), reason, changed_by, failures, now()
       from json_to_recordset($1::json) as t(participant text, state text, since double precision, reason text, changed_by text, failures int)
     on conflict (participant) do update
        set state = excluded.state, since = excluded.since, reason = excluded.reason, changed_by = excluded.changed_by, failures = excluded.failures, updated_at = now()`,
    [JSON.stringify(changes.map(({ after: b }) => ({ participant: b.participant, state: b.state, since: b.since, reason: b.reason, changed_by: b.changedBy, failures: b.failures })))],
  );
  const transitions = changes.filter((c) => (c.before?.state ?? 'closed') !== c.after.state);
  if (transitions.length === 0) return;
  await db.query(
    `insert into participant_breaker_history (participant, from_state, to_state, reason, changed_by)
     select participant, from_state, to_state, reason, changed_by from json_to_recordset($1::json) as t(participant text, from_state text, to_state text, reason text, changed_by text)`,
    [JSON.stringify(transitions.map((c) => ({ participant: c.after.participant, from_state: c.before?.state ?? 'closed', to_state: c.after.state, reason: c.after.reason, changed_by: c.after.changedBy })))],
  );
}

export interface BreakerTransition {
  fromState: BreakerState;
  toState: BreakerState;
  reason: string | null;
  changedBy: string;
  at: Date;
}

export async function breakerHistory(db: Queryable, participant: string, limit: number): Promise<BreakerTransition[]> {
  const res = await db.query<{ from_state: BreakerState; to_state: BreakerState; reason: string | null; changed_by: string; at: Date }>(
    'select from_state, to_state, reason, changed_by, at from participant_breaker_history where participant = $1 order by id desc limit $2',
    [participant, limit],
  );
  return res.rows.map((r) => ({ fromState: r.from_state, toState: r.to_state, reason: r.reason, changedBy: r.changed_by, at: r.at }));
}
