-- The engine's second storage layout: fewer rows per saga, one outbox row per
-- transaction, timers derived from the saga state, verdicts as columns. Glossary
-- additions:
--   next_due_at      when the saga's earliest timer is due (attempt timeout, backoff,
--                    deadline): timers are a function of the state (core/timers.ts), so
--                    one indexed column replaces the rows of saga_timers
--   next_due_participant  the participant that earliest timer waits on (null for the
--                    deadline): the timer scheduler holds back timers of a participant
--                    that is not consuming or whose circuit breaker is open
--   quarantine       set when the engine could not decide an event for the saga (a
--                    corrupt row, a bug): the saga waits for an operator, nothing else stalls
--   outbox batch     every Kafka message one transaction caused, in one row; published
--                    right after commit from memory, the row deleted once sent; rows left
--                    behind by a crash are published by the relay
--   verdict          applied | ignored | rejected, with the core's code and reason
--   trace_context    the W3C traceparent of the saga's trace, so every command of the saga,
--                    whichever replica sends it, joins one trace

-- Timers: from rows to a column.
alter table saga_instances add column next_due_at timestamptz;
alter table saga_instances add column next_due_participant text;
alter table saga_instances add column quarantine jsonb;
alter table saga_instances add column trace_context text;
update saga_instances s
   set next_due_at = t.due_at
  from (select saga_id, min(due_at) as due_at from saga_timers group by saga_id) t
 where t.saga_id = s.saga_id;
create index saga_instances_due on saga_instances (next_due_at) where next_due_at is not null and quarantine is null;
drop table saga_timers;

-- History: the verdict as columns, not a prefix in a text.
alter table saga_history rename column ignored to verdict_reason;
alter table saga_history add column verdict text not null default 'applied';
alter table saga_history add column verdict_code text;
update saga_history
   set verdict = 'rejected',
       verdict_code = split_part(substr(verdict_reason, 11), ':', 1),
       verdict_reason = ltrim(substr(verdict_reason, 12 + length(split_part(substr(verdict_reason, 11), ':', 1))))
 where verdict_reason like 'rejected: %';
update saga_history set verdict = 'ignored' where verdict_reason is not null and verdict = 'applied';
alter table saga_history add constraint saga_history_verdict check (verdict in ('applied', 'ignored', 'rejected', 'quarantined'));

-- Attempts: the core's AttemptStatus, constrained.
alter table step_attempts add constraint step_attempts_status
  check (status in ('SENT', 'SUCCEEDED', 'FAILED', 'RETRY_REQUESTED', 'TIMED_OUT', 'ABANDONED'));

-- Outbox: one row per transaction.
create table outbox_batches (
  id            bigserial   primary key,
  -- JSON array of {topic, key, value, headers}; text, not jsonb: PostgreSQL never looks inside.
  messages      text        not null,
  message_count integer     not null check (message_count > 0),
  created_at    timestamptz not null default now()
);
insert into outbox_batches (messages, message_count, created_at)
select json_build_array(json_build_object('topic', topic, 'key', message_key, 'value', payload, 'headers', headers))::text, 1, created_at
  from outbox where sent_at is null order by id;
drop trigger outbox_notify on outbox;
drop function outbox_notify();
drop table outbox;

-- Inbox: pruned by age (BRIN: nearly free to maintain on an append-only table).
create index inbox_received on inbox using brin (received_at);

-- Messages the coordinator could not process, kept for operators (the dead-letter topic has them too).
create table dead_letters (
  id               bigserial   primary key,
  dead_lettered_at timestamptz not null default now(),
  reason_code      text        not null,
  reason           text        not null,
  by_component     text        not null,
  source_topic     text        not null,
  source_partition integer     not null,
  source_offset    text        not null,
  message_key      text,
  -- At most a few kilobytes of the original value, as text.
  value_excerpt    text,
  value_bytes      integer     not null
);
create index dead_letters_recent on dead_letters (dead_lettered_at);

-- Per-participant circuit breakers, shared by every replica.
create table participant_breakers (
  participant  text        primary key,
  state        text        not null check (state in ('closed', 'open', 'half-open')),
  since        timestamptz not null,
  reason       text,
  -- 'auto' when opened by the failure threshold, else the operator's actor.
  changed_by   text        not null,
  -- Timeouts and retry answers in a row since the last success.
  failures     integer     not null default 0,
  updated_at   timestamptz not null default now()
);

create table participant_breaker_history (
  id           bigserial   primary key,
  participant  text        not null,
  from_state   text        not null,
  to_state     text        not null,
  reason       text,
  changed_by   text        not null,
  at           timestamptz not null default now()
);
create index participant_breaker_history_by_participant on participant_breaker_history (participant, id);
