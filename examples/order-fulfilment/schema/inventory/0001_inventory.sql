-- The inventory service: stock per SKU, and reservations against it.
-- Stock is conserved: initial = available + reserved + committed, per SKU.
create table stock (
  sku        text   primary key,
  initial    bigint not null check (initial >= 0),
  available  bigint not null check (available >= 0)
);

-- One row per order line; no unique key on (order_id, sku), for the same reason as credit_reservations.
create table stock_reservations (
  id          bigserial   primary key,
  order_id    text        not null,
  sku         text        not null references stock,
  quantity    bigint      not null check (quantity > 0),
  status      text        not null check (status in ('RESERVED', 'RELEASED', 'COMMITTED')),
  saga_id     text        not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index stock_reservations_order on stock_reservations (order_id);
