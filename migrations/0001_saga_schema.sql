-- The coordinator's state. Glossary:
--   definition  a versioned saga document; (name, version) never changes once stored
--   instance    one run of a definition; `state` is the core's SagaState snapshot,
--               `row_version` guards against two replicas advancing one saga at once
--   attempt     one command sent for a step (execute or compensate) and its reply
--   history     append-only record of every event applied or ignored, and why
--   outbox      messages committed with the state that caused them; the relay publishes them
--   inbox       message ids already applied, so a redelivered message changes nothing
--   timer       a due time (attempt timeout, backoff, deadline) that survives restarts

create table saga_definitions (
  name          text        not null,
  version       integer     not null check (version > 0),
  content_hash  text        not null,
  document      jsonb       not null,
  -- The compiled form with every default applied: a later release changing a default
  -- must not change how an already registered version (and its instances) behave.
  normalized    jsonb       not null,
  created_at    timestamptz not null default now(),
  primary key (name, version),
  unique (name, content_hash)
);

create table saga_instances (
  saga_id            uuid        primary key,
  definition_name    text        not null,
  definition_version integer     not null,
  status             text        not null,
  business_key       text,
  idempotency_key    text        unique,
  input              jsonb       not null,
  state              jsonb       not null,
  row_version        bigint      not null default 1,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  finished_at        timestamptz,
  foreign key (definition_name, definition_version) references saga_definitions (name, version)
);
create index saga_instances_listing on saga_instances (created_at, saga_id);
create index saga_instances_status on saga_instances (status, definition_name);
create index saga_instances_business_key on saga_instances (business_key) where business_key is not null;

create table step_attempts (
  saga_id      uuid        not null references saga_instances on delete cascade,
  step         text        not null,
  action       text        not null check (action in ('execute', 'compensate')),
  attempt      integer     not null check (attempt > 0),
  command_id   text        not null unique,
  status       text        not null,
  sent_at      timestamptz not null default now(),
  deadline_at  timestamptz,
  replied_at   timestamptz,
  output       jsonb,
  error        jsonb,
  primary key (saga_id, step, action, attempt)
);

create table saga_history (
  id            bigserial   primary key,
  saga_id       uuid        not null references saga_instances on delete cascade,
  event_type    text        not null,
  event         jsonb       not null,
  status_before text,
  status_after  text,
  ignored       text,
  actor         text,
  occurred_at   timestamptz not null default now()
);
create index saga_history_by_saga on saga_history (saga_id, id);

create table outbox (
  id           bigserial   primary key,
  topic        text        not null,
  message_key  text        not null,
  payload      text        not null,
  headers      jsonb       not null default '{}'::jsonb,
  created_at   timestamptz not null default now(),
  sent_at      timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;

-- Wake the relay as soon as a transaction that wrote outbox rows commits (NOTIFY is
-- delivered at commit); the relay also polls, so a lost notification only delays.
create function outbox_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('saga_outbox', '');
  return null;
end $$;
create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();

create table inbox (
  message_id   text        primary key,
  saga_id      uuid,
  received_at  timestamptz not null default now()
);

create table saga_timers (
  timer_id  text        primary key,
  saga_id   uuid        not null references saga_instances on delete cascade,
  kind      text        not null,
  due_at    timestamptz not null,
  payload   jsonb       not null
);
create index saga_timers_due on saga_timers (due_at);
