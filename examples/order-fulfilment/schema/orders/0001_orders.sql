-- The orders service: one row per order, PENDING until confirmed after shipping, or CANCELLED.
create table orders (
  order_id     text        primary key,
  customer_id  text        not null,
  amount       bigint      not null check (amount > 0),
  lines        jsonb       not null,
  status       text        not null check (status in ('PENDING', 'CONFIRMED', 'CANCELLED')),
  saga_id      text        not null,
  tracking_id  text,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
