// The inventory service: reserves stock for every line of an order (all or nothing:
// one missing SKU fails the step and the SDK rolls back the lines already reserved),
// releases it (compensation), and commits it once the order is paid (after the pivot).
// It can be flaky (see flakiness.ts).
import { failure, retry, success, type SomeStepHandler, type StepHandler } from '@saga-coordinator/participant';
import { reliable, sleepPastDeadline, type FlakinessPolicy } from '../flakiness';
import type { OrderLine } from '../order';

interface ReserveStock {
  orderId: string;
  lines: OrderLine[];
}

/** One quantity per SKU, in SKU order: concurrent orders then lock stock rows in the same order (no deadlock). */
function bySku(lines: OrderLine[]): [string, number][] {
  const totals = new Map<string, number>();
  for (const l of lines) totals.set(l.sku, (totals.get(l.sku) ?? 0) + l.quantity);
  return [...totals.entries()].sort(([a], [b]) => a.localeCompare(b));
}

export function inventoryHandlers(flakiness: FlakinessPolicy = reliable): SomeStepHandler[] {
  const reserveStock: StepHandler<ReserveStock, { reserved: number }> = {
    command: 'stock.reserve',
    compensation: 'stock.release',
    async execute({ orderId, lines }, ctx) {
      const misbehaviour = flakiness({ orderId, step: ctx.step, attempt: ctx.attempt });
      // The slow warehouse call comes before the writes: waiting while holding the stock rows' locks would stall every other order of those SKUs.
      if (misbehaviour !== 'ok') await sleepPastDeadline(ctx);
      if (misbehaviour === 'stall') return retry('warehouse system did not answer in time', 'WAREHOUSE_TIMEOUT');
      let reserved = 0;
      for (const [sku, quantity] of bySku(lines)) {
        const res = await ctx.tx.query('update stock set available = available - $2 where sku = $1 and available >= $2', [sku, quantity]);
        if (res.rowCount === 0) return failure('OUT_OF_STOCK', `not enough ${sku} for order ${orderId} (${quantity} wanted)`);
        await ctx.tx.query("insert into stock_reservations (order_id, sku, quantity, status, saga_id) values ($1, $2, $3, 'RESERVED', $4)", [orderId, sku, quantity, ctx.sagaId]);
        reserved += quantity;
      }
      return success({ reserved });
    },
    async compensate(_data, { tx, sagaId }) {
      const released = await tx.query<{ sku: string; quantity: string }>(
        "update stock_reservations set status = 'RELEASED', updated_at = now() where saga_id = $1 and status = 'RESERVED' returning sku, quantity",
        [sagaId],
      );
      const rows = [...released.rows].sort((a, b) => a.sku.localeCompare(b.sku));
      for (const r of rows) await tx.query('update stock set available = available + $2 where sku = $1', [r.sku, r.quantity]);
      return success();
    },
  };

  const commitStock: StepHandler<{ orderId: string }, { committed: number }> = {
    command: 'stock.commit',
    async execute(_input, { tx, sagaId }) {
      const res = await tx.query("update stock_reservations set status = 'COMMITTED', updated_at = now() where saga_id = $1 and status = 'RESERVED'", [sagaId]);
      return success({ committed: res.rowCount ?? 0 });
    },
  };

  return [reserveStock, commitStock];
}
