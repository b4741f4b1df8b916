// The example's saga: create the order; reserve stock and credit in parallel; capture
// the credit (the pivot: after it the order goes through); then schedule the shipment
// and commit the stock in parallel, and confirm the order. Steps after the pivot have
// no compensation and are retried until they succeed. One order at a time per customer
// (concurrencyKey): two orders of one customer never race for the same credit; the saga's
// output is what the initiator gets back (initiator.ts): the order and its tracking id.
import { defineSaga } from '../../src/core/saga-definition.builder';
import type { SagaDefinition } from '../../src/core/saga-definition';
import { ORDER_INPUT_SCHEMA } from './participants/orders.participant';

export const ORDER_FULFILMENT = 'order-fulfilment';

export interface OrderFulfilmentTiming {
  /** How long one attempt of any step may take. @default 3000 */
  stepTimeoutMs?: number;
  /** Attempts of each step before the pivot. @default 3 */
  maxAttempts?: number;
  /** Steps keep retrying at least this long, whatever the count (see RetryPolicy). @default the engine's default, ten minutes */
  minRetryWindowMs?: number;
}

export function orderFulfilmentSaga(timing: OrderFulfilmentTiming = {}): SagaDefinition {
  const timeoutMs = timing.stepTimeoutMs ?? 3_000;
  const window = timing.minRetryWindowMs === undefined ? {} : { minRetryWindowMs: timing.minRetryWindowMs };
  const before = { timeoutMs, retry: { maxAttempts: timing.maxAttempts ?? 3, initialBackoffMs: 100, maxBackoffMs: 1_000, multiplier: 2, jitter: 0.2, ...window } };
  const after = { timeoutMs, retry: { initialBackoffMs: 200, maxBackoffMs: 2_000, multiplier: 2, jitter: 0.2 } };
  const orderId = '$.input.orderId';
  return defineSaga(ORDER_FULFILMENT)
    .description('order fulfilment: create the order, reserve stock and credit, capture the credit, ship, confirm')
    .inputSchema(ORDER_INPUT_SCHEMA)
    .maxForwardAttempts(20)
    .concurrencyKey('$.input.customerId')
    .output({ orderId, trackingId: '$.steps.scheduleShipment.output.trackingId' })
    .step({ name: 'createOrder', participant: 'orders', command: 'order.create', compensation: 'order.cancel', ...before })
    .parallel(
      [
        { name: 'reserveStock', participant: 'inventory', command: 'stock.reserve', compensation: 'stock.release', input: { orderId, lines: '$.input.lines' }, ...before },
        {
          name: 'reserveCredit',
          participant: 'payments',
          command: 'credit.reserve',
          compensation: 'credit.release',
          input: { orderId, customerId: '$.input.customerId', amount: '$.input.amount' },
          ...before,
        },
      ],
      { name: 'reserve' },
    )
    .pivot({ name: 'captureCredit', participant: 'payments', command: 'credit.capture', input: { orderId, reservationId: '$.steps.reserveCredit.output.reservationId' }, ...before })
    .parallel(
      [
        { name: 'scheduleShipment', participant: 'shipping', command: 'shipment.schedule', input: { orderId, customerId: '$.input.customerId', lines: '$.input.lines' }, ...after },
        { name: 'commitStock', participant: 'inventory', command: 'stock.commit', input: { orderId }, ...after },
      ],
      { name: 'fulfil' },
    )
    .step({ name: 'confirmOrder', participant: 'orders', command: 'order.confirm', input: { orderId, trackingId: '$.steps.scheduleShipment.output.trackingId' }, ...after })
    .build();
}
