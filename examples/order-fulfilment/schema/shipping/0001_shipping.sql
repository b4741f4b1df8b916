-- The shipping service: one shipment per shipped order (no unique key, so a double
-- shipment would show in the demo's consistency check).
create table shipments (
  id           bigserial   primary key,
  order_id     text        not null,
  customer_id  text        not null,
  parcels      integer     not null check (parcels > 0),
  tracking_id  text        not null,
  saga_id      text        not null,
  created_at   timestamptz not null default now()
);
create index shipments_order on shipments (order_id);
