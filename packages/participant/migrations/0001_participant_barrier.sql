-- The participant SDK's barrier (in each participant's own database). Glossary:
--   barrier row  one per (saga_id, step, action): inserted in the same transaction as
--                the handler's business change, so its presence means "this action was
--                decided" and a duplicate command only re-reads it (cf. DTM's sub-transaction
--                barrier: insert-or-ignore, then look at what was there).
--   state        execute:    APPLIED (handler succeeded), FAILED (business failure, nothing
--                            applied), BLOCKED (a compensation came first; the late execute
--                            is refused)
--                compensate: APPLIED (compensation handler ran), NULL (nothing to undo: the
--                            execute never applied)
--   output/error what the reply carries; the reply is rebuilt from the row, so a re-sent
--                reply is the same reply (same messageId, see reply-builder.ts)
create table participant_barrier (
  saga_id     text        not null,
  step        text        not null,
  action      text        not null check (action in ('execute', 'compensate')),
  state       text        not null check (state in ('PENDING', 'APPLIED', 'FAILED', 'BLOCKED', 'NULL')),
  output      jsonb,
  error       jsonb,
  -- The command that decided the row; null for an execute row a compensation inserted.
  command_id  text,
  created_at  timestamptz not null default now(),
  primary key (saga_id, step, action)
);
-- For pruning: rows of sagas that ended long ago can be deleted (see docs/participant-sdk.md).
create index participant_barrier_created on participant_barrier (created_at);
