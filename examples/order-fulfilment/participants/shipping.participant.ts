// The shipping service: schedules one shipment per order. Runs after the pivot, so
// the coordinator retries it until it succeeds; it can be flaky (see flakiness.ts).
import { retry, success, type SomeStepHandler, type StepHandler } from '@saga-coordinator/participant';
import { reliable, sleepPastDeadline, type FlakinessPolicy } from '../flakiness';
import type { OrderLine } from '../order';

interface ScheduleShipment {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
}

const ITEMS_PER_PARCEL = 5;

export function shippingHandlers(flakiness: FlakinessPolicy = reliable): SomeStepHandler[] {
  const scheduleShipment: StepHandler<ScheduleShipment, { trackingId: string }> = {
    command: 'shipment.schedule',
    async execute({ orderId, customerId, lines }, ctx) {
      const misbehaviour = flakiness({ orderId, step: ctx.step, attempt: ctx.attempt });
      if (misbehaviour !== 'ok') await sleepPastDeadline(ctx);
      if (misbehaviour === 'stall') return retry('carrier API did not answer in time', 'CARRIER_TIMEOUT');
      const items = lines.reduce((n, l) => n + l.quantity, 0);
      const trackingId = `trk-${orderId}`;
      await ctx.tx.query('insert into shipments (order_id, customer_id, parcels, tracking_id, saga_id) values ($1, $2, $3, $4, $5)', [
        orderId,
        customerId,
        Math.ceil(items / ITEMS_PER_PARCEL),
        trackingId,
        ctx.sagaId,
      ]);
      return success({ trackingId });
    },
  };
  return [scheduleShipment];
}
