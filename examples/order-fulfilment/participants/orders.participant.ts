// The orders service: creates an order (PENDING), cancels it (compensation), and
// confirms it once it has shipped (after the pivot: retried until it succeeds).
import { failure, success, type SomeStepHandler, type StepHandler } from '@saga-coordinator/participant';
import type { OrderInput } from '../order';

export const ORDER_INPUT_SCHEMA = {
  type: 'object',
  required: ['orderId', 'customerId', 'lines', 'amount'],
  properties: {
    orderId: { type: 'string', minLength: 1 },
    customerId: { type: 'string', minLength: 1 },
    amount: { type: 'integer', minimum: 1 },
    lines: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['sku', 'quantity'], properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } } },
    },
  },
};

export function ordersHandlers(): SomeStepHandler[] {
  const createOrder: StepHandler<OrderInput, { orderId: string }> = {
    command: 'order.create',
    compensation: 'order.cancel',
    inputSchema: ORDER_INPUT_SCHEMA,
    async execute(order, { tx, sagaId }) {
      const res = await tx.query(
        `insert into orders (order_id, customer_id, amount, lines, status, saga_id) values ($1, $2, $3, $4::jsonb, 'PENDING', $5)
         on conflict (order_id) do nothing`,
        [order.orderId, order.customerId, order.amount, JSON.stringify(order.lines), sagaId],
      );
      if (res.rowCount === 0) return failure('DUPLICATE_ORDER', `order ${order.orderId} already exists`);
      return success({ orderId: order.orderId });
    },
    async compensate({ input }, { tx, sagaId }) {
      await tx.query("update orders set status = 'CANCELLED', updated_at = now() where order_id = $1 and saga_id = $2", [input.orderId, sagaId]);
      return success();
    },
  };

  const confirmOrder: StepHandler<{ orderId: string; trackingId: string }, { status: string }> = {
    command: 'order.confirm',
    async execute({ orderId, trackingId }, { tx, sagaId }) {
      const res = await tx.query("update orders set status = 'CONFIRMED', tracking_id = $3, updated_at = now() where order_id = $1 and saga_id = $2 and status = 'PENDING'", [
        orderId,
        sagaId,
        trackingId,
      ]);
      if (res.rowCount === 0) return failure('ORDER_NOT_PENDING', `order ${orderId} is not pending`);
      return success({ status: 'CONFIRMED' });
    },
  };

  return [createOrder, confirmOrder];
}
