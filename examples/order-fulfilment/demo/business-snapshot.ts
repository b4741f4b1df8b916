// Reads what the consistency check needs from the five databases (one per service
// plus the coordinator's), as an auditor with read access would.
import type { Pool } from 'pg';
import type { ParticipantName } from '../order';
import { ORDER_FULFILMENT } from '../order-fulfilment.saga';
import type { BusinessSnapshot } from './consistency-check';

export type ParticipantPools = Record<ParticipantName, Pool>;

export async function readSagaStatuses(coordinator: Pool): Promise<{ orderId: string; status: string }[]> {
  const res = await coordinator.query<{ business_key: string; status: string }>(
    'select business_key, status from saga_instances where definition_name = $1 and business_key is not null',
    [ORDER_FULFILMENT],
  );
  return res.rows.map((r) => ({ orderId: r.business_key, status: r.status }));
}

export async function readBusinessSnapshot(coordinator: Pool, pools: ParticipantPools): Promise<BusinessSnapshot> {
  const [sagas, orders, accounts, creditReservations, stock, stockReservations, shipments] = await Promise.all([
    readSagaStatuses(coordinator),
    pools.orders.query('select order_id, status, amount from orders'),
    pools.payments.query('select customer_id, initial_credit, available from accounts'),
    pools.payments.query('select order_id, customer_id, amount, status from credit_reservations'),
    pools.inventory.query('select sku, initial, available from stock'),
    pools.inventory.query('select order_id, sku, quantity, status from stock_reservations'),
    pools.shipping.query('select order_id from shipments'),
  ]);
  return {
    sagas,
    orders: orders.rows.map((r) => ({ orderId: r.order_id, status: r.status, amount: Number(r.amount) })),
    accounts: accounts.rows.map((r) => ({ customerId: r.customer_id, initialCredit: Number(r.initial_credit), available: Number(r.available) })),
    creditReservations: creditReservations.rows.map((r) => ({ orderId: r.order_id, customerId: r.customer_id, amount: Number(r.amount), status: r.status })),
    stock: stock.rows.map((r) => ({ sku: r.sku, initial: Number(r.initial), available: Number(r.available) })),
    stockReservations: stockReservations.rows.map((r) => ({ orderId: r.order_id, sku: r.sku, quantity: Number(r.quantity), status: r.status })),
    shipments: shipments.rows.map((r) => ({ orderId: r.order_id })),
  };
}

/** Compensations the participants' barriers answered without calling a handler: the step had never applied. */
export async function nullCompensations(pools: ParticipantPools): Promise<number> {
  let n = 0;
  for (const pool of Object.values(pools)) {
    const res = await pool.query<{ n: number }>("select count(*)::int as n from participant_barrier where action = 'compensate' and state = 'NULL'");
    n += res.rows[0].n;
  }
  return n;
}
