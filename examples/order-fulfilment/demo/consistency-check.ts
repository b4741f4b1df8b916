/**
 * The demo's consistency check: what an auditor would verify in the four services'
 * databases after the sagas ran. Pure: it reads a snapshot, so it is unit-tested
 * with snapshots that hide each kind of inconsistency.
 *
 *   conservation  per customer: initial credit = available + reserved + captured;
 *                 per SKU: initial stock = available + reserved + committed
 *   completed     order CONFIRMED, its credit captured once for its amount, each of
 *                 its lines' stock committed once, shipped once
 *   compensated   no charge and no reservation left behind (released or never made),
 *                 no shipment, order CANCELLED or never created
 * Sagas still running or needing an operator are counted, not checked one by one;
 * conservation holds for them too.
 */
import type { OrderInput } from '../order';

export interface BusinessSnapshot {
  /** Saga status per order (the saga's business key is the order id). */
  sagas: { orderId: string; status: string }[];
  orders: { orderId: string; status: string; amount: number }[];
  accounts: { customerId: string; initialCredit: number; available: number }[];
  creditReservations: { orderId: string; customerId: string; amount: number; status: string }[];
  stock: { sku: string; initial: number; available: number }[];
  stockReservations: { orderId: string; sku: string; quantity: number; status: string }[];
  shipments: { orderId: string }[];
}

export interface ConsistencyReport {
  ok: boolean;
  violations: string[];
  checked: { completed: number; compensated: number; notChecked: number; customers: number; skus: number };
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
  return map;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function checkConsistency(submitted: OrderInput[], s: BusinessSnapshot): ConsistencyReport {
  const violations: string[] = [];
  const sagaOf = new Map(s.sagas.map((x) => [x.orderId, x.status]));
  const orders = groupBy(s.orders, (o) => o.orderId);
  const credit = groupBy(s.creditReservations, (r) => r.orderId);
  const stock = groupBy(s.stockReservations, (r) => r.orderId);
  const shipments = groupBy(s.shipments, (r) => r.orderId);
  const checked = { completed: 0, compensated: 0, notChecked: 0, customers: s.accounts.length, skus: s.stock.length };

  for (const order of submitted) {
    const id = order.orderId;
    const status = sagaOf.get(id);
    const [row] = orders.get(id) ?? [];
    const reservations = credit.get(id) ?? [];
    const lines = stock.get(id) ?? [];
    const shipped = (shipments.get(id) ?? []).length;
    if (status === 'COMPLETED') {
      checked.completed += 1;
      if (row?.status !== 'CONFIRMED') violations.push(`order ${id}: saga completed but the order is ${row?.status ?? 'missing'}`);
      if (reservations.length !== 1 || reservations[0].status !== 'CAPTURED' || reservations[0].amount !== order.amount) {
        violations.push(`order ${id}: saga completed but its credit is ${describe(reservations.map((r) => `${r.status} ${r.amount}`))}, expected one CAPTURED ${order.amount}`);
      }
      const wanted = groupBy(order.lines, (l) => l.sku);
      const got = groupBy(lines, (l) => l.sku);
      for (const [sku, want] of wanted) {
        const have = got.get(sku) ?? [];
        const quantity = sum(want.map((l) => l.quantity));
        if (have.length !== 1 || have[0].status !== 'COMMITTED' || have[0].quantity !== quantity) {
          violations.push(`order ${id}: saga completed but its ${sku} stock is ${describe(have.map((r) => `${r.status} ${r.quantity}`))}, expected one COMMITTED ${quantity}`);
        }
      }
      for (const sku of got.keys()) if (!wanted.has(sku)) violations.push(`order ${id}: stock of ${sku} is reserved but the order has no such line`);
      if (shipped !== 1) violations.push(`order ${id}: saga completed but it was shipped ${shipped} times`);
    } else if (status === 'COMPENSATED') {
      checked.compensated += 1;
      if (row && row.status !== 'CANCELLED') violations.push(`order ${id}: saga compensated but the order is ${row.status}`);
      const heldCredit = reservations.filter((r) => r.status !== 'RELEASED');
      if (heldCredit.length > 0) violations.push(`order ${id}: saga compensated but credit is left ${describe(heldCredit.map((r) => `${r.status} ${r.amount}`))}`);
      if (reservations.length > 1) violations.push(`order ${id}: credit was reserved ${reservations.length} times`);
      const heldStock = lines.filter((r) => r.status !== 'RELEASED');
      if (heldStock.length > 0) violations.push(`order ${id}: saga compensated but stock is left ${describe(heldStock.map((r) => `${r.sku} ${r.status} ${r.quantity}`))}`);
      for (const [sku, rows] of groupBy(lines, (l) => l.sku)) if (rows.length > 1) violations.push(`order ${id}: ${sku} was reserved ${rows.length} times`);
      if (shipped > 0) violations.push(`order ${id}: saga compensated but it was shipped ${shipped} times`);
    } else {
      checked.notChecked += 1;
    }
  }

  const known = new Set(submitted.map((o) => o.orderId));
  const tables: [string, Map<string, unknown[]>][] = [['orders', orders], ['credit_reservations', credit], ['stock_reservations', stock], ['shipments', shipments]];
  for (const [table, rows] of tables) for (const id of rows.keys()) if (!known.has(id) || !sagaOf.has(id)) violations.push(`${table} has rows for order ${id}, which no saga ran`);

  const creditByCustomer = groupBy(s.creditReservations, (r) => r.customerId);
  for (const a of s.accounts) {
    const held = sum((creditByCustomer.get(a.customerId) ?? []).filter((r) => r.status !== 'RELEASED').map((r) => r.amount));
    if (a.available < 0) violations.push(`customer ${a.customerId}: available credit is negative (${a.available})`);
    if (a.initialCredit !== a.available + held) {
      violations.push(`customer ${a.customerId}: credit not conserved: initial ${a.initialCredit} != available ${a.available} + reserved/captured ${held}`);
    }
  }
  const stockBySku = groupBy(s.stockReservations, (r) => r.sku);
  for (const item of s.stock) {
    const held = sum((stockBySku.get(item.sku) ?? []).filter((r) => r.status !== 'RELEASED').map((r) => r.quantity));
    if (item.available < 0) violations.push(`sku ${item.sku}: available stock is negative (${item.available})`);
    if (item.initial !== item.available + held) violations.push(`sku ${item.sku}: stock not conserved: initial ${item.initial} != available ${item.available} + reserved/committed ${held}`);
  }

  return { ok: violations.length === 0, violations, checked };
}

function describe(items: string[]): string {
  return items.length === 0 ? 'none' : items.join(', ');
}
