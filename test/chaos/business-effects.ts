// Business effects applied more than once, read from the example participants' own
// databases: an order's credit reserved twice, a line's stock reserved twice, an order
// shipped twice. (The example's tables have no unique keys there on purpose, so a
// doubled effect stays visible.) The orders table's primary key makes a doubled order
// impossible; a second create would surface as a DUPLICATE_ORDER compensation instead.
import type { ParticipantPools } from '../../examples/order-fulfilment/demo/business-snapshot';

export interface DoubledEffects {
  creditReservedTwice: number;
  stockReservedTwice: number;
  shippedTwice: number;
  /** Up to ten examples, e.g. "order o-17: 2 shipments". */
  examples: string[];
}

export async function doubledEffects(pools: ParticipantPools): Promise<DoubledEffects> {
  const [credit, stock, shipped] = await Promise.all([
    pools.payments.query<{ order_id: string; n: number }>('select order_id, count(*)::int as n from credit_reservations group by order_id having count(*) > 1'),
    pools.inventory.query<{ order_id: string; sku: string; n: number }>('select order_id, sku, count(*)::int as n from stock_reservations group by order_id, sku having count(*) > 1'),
    pools.shipping.query<{ order_id: string; n: number }>('select order_id, count(*)::int as n from shipments group by order_id having count(*) > 1'),
  ]);
  const examples = [
    ...credit.rows.map((r) => `order ${r.order_id}: ${r.n} credit reservations`),
    ...stock.rows.map((r) => `order ${r.order_id}: ${r.n} stock reservations of ${r.sku}`),
    ...shipped.rows.map((r) => `order ${r.order_id}: ${r.n} shipments`),
  ].slice(0, 10);
  return { creditReservedTwice: credit.rowCount ?? 0, stockReservedTwice: stock.rowCount ?? 0, shippedTwice: shipped.rowCount ?? 0, examples };
}
