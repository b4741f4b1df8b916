-- One saga at a time per business key (core/concurrency.ts), and retiring definition
-- versions (core/definition-versions.ts). Glossary additions:
--   concurrency_key  the value the saga's concurrency key mapping resolved to; null for a
--                    saga without one (which pays nothing: every index below skips it)
--   queue_seq        acceptance order of keyed sagas, from saga_queue_seq: sagas with one
--                    key run in this order, whichever replica accepted them
--   deprecated_at    the version starts no saga that does not name it, and refuses one that does
--   deleted_at       the version is gone from lists and starts; kept for the sagas that ended on it
--
-- Runs inside the migrator's transaction under its advisory lock, so replicas starting
-- together apply it once; `if not exists` keeps a half-applied copy from an older
-- runner harmless.
alter table saga_instances add column if not exists concurrency_key text;
alter table saga_instances add column if not exists queue_seq bigint;
create sequence if not exists saga_queue_seq;

-- Sagas that hold or wait for their key, in acceptance order: the start path's "is the key
-- open", admission's "who is first", and the sweep that admits what a crash left waiting.
create index if not exists saga_instances_open_keys on saga_instances (concurrency_key, queue_seq)
  where concurrency_key is not null and status not in ('COMPLETED', 'COMPENSATED');

-- The guarantee itself, whatever the code does: never two sagas of one key running or
-- compensating. (Not FAILED: a saga quarantined while QUEUED is marked FAILED, and must
-- be storable while the saga before it runs; a FAILED saga holds its key all the same.)
create unique index if not exists saga_instances_one_per_key on saga_instances (concurrency_key)
  where concurrency_key is not null and status in ('RUNNING', 'COMPENSATING');

-- Retiring versions: a version row never changes its content, only these two marks.
alter table saga_definitions add column if not exists deprecated_at timestamptz;
alter table saga_definitions add column if not exists deleted_at timestamptz;
-- No index for counting sagas per version: it is an operator's read, and another index on
-- saga_instances would cost every start and status change of every saga.
