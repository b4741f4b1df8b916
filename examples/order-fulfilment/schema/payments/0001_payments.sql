-- The payments service: customers' credit, and reservations against it.
-- Money is conserved: initial_credit = available + reserved + captured, per customer.
create table accounts (
  customer_id     text   primary key,
  initial_credit  bigint not null check (initial_credit >= 0),
  available       bigint not null check (available >= 0)
);

-- No unique key on order_id on purpose: a reservation applied twice must stay visible
-- to the demo's consistency check instead of being hidden by a constraint.
create table credit_reservations (
  id           bigserial   primary key,
  order_id     text        not null,
  customer_id  text        not null references accounts,
  amount       bigint      not null check (amount > 0),
  status       text        not null check (status in ('RESERVED', 'RELEASED', 'CAPTURED')),
  saga_id      text        not null,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
create index credit_reservations_order on credit_reservations (order_id);
