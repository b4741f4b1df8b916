-- API keys stored in the database (keys can also come from the API_KEYS variable).
-- Only the SHA-256 of a key is kept: keys are 256-bit random values, so a fast hash is
-- enough (a slow password hash protects low-entropy secrets, which these are not).
-- A revoked key keeps its row, and its name is never reused, so that an actor named in
-- saga history always means one key.
create table api_keys (
  name        text        primary key,
  role        text        not null check (role in ('viewer', 'operator', 'admin')),
  key_hash    text        not null unique,
  created_by  text        not null,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz,
  revoked_by  text
);
