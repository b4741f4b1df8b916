// The payments service: reserves a customer's credit (refused when it does not
// cover the order), releases it (compensation), and captures it (the pivot).
import { failure, success, type SomeStepHandler, type StepHandler } from '@saga-coordinator/participant';

interface ReserveCredit {
  orderId: string;
  customerId: string;
  amount: number;
}

export function paymentsHandlers(): SomeStepHandler[] {
  const reserveCredit: StepHandler<ReserveCredit, { reservationId: string }> = {
    command: 'credit.reserve',
    compensation: 'credit.release',
    async execute({ orderId, customerId, amount }, { tx, sagaId }) {
      const debited = await tx.query('update accounts set available = available - $2 where customer_id = $1 and available >= $2', [customerId, amount]);
      if (debited.rowCount === 0) {
        const known = await tx.query('select available from accounts where customer_id = $1', [customerId]);
        if (known.rowCount === 0) return failure('UNKNOWN_CUSTOMER', `no account for customer ${customerId}`);
        return failure('INSUFFICIENT_CREDIT', `customer ${customerId} has ${known.rows[0].available} available, the order needs ${amount}`);
      }
      const res = await tx.query<{ id: string }>(
        "insert into credit_reservations (order_id, customer_id, amount, status, saga_id) values ($1, $2, $3, 'RESERVED', $4) returning id",
        [orderId, customerId, amount, sagaId],
      );
      return success({ reservationId: res.rows[0].id });
    },
    async compensate({ output }, { tx, sagaId }) {
      // `output` is what this service recorded when it reserved, even if the coordinator never got the reply.
      const released = await tx.query<{ customer_id: string; amount: string }>(
        "update credit_reservations set status = 'RELEASED', updated_at = now() where id = $1 and saga_id = $2 and status = 'RESERVED' returning customer_id, amount",
        [output?.reservationId, sagaId],
      );
      for (const r of released.rows) await tx.query('update accounts set available = available + $2 where customer_id = $1', [r.customer_id, r.amount]);
      return success();
    },
  };

  const captureCredit: StepHandler<{ orderId: string; reservationId: string }, { captured: string }> = {
    command: 'credit.capture',
    async execute({ reservationId }, { tx, sagaId }) {
      const res = await tx.query<{ amount: string }>(
        "update credit_reservations set status = 'CAPTURED', updated_at = now() where id = $1 and saga_id = $2 and status = 'RESERVED' returning amount",
        [reservationId, sagaId],
      );
      if (res.rowCount === 0) return failure('RESERVATION_NOT_ACTIVE', `credit reservation ${reservationId} is not reserved`);
      return success({ captured: res.rows[0].amount });
    },
  };

  return [reserveCredit, captureCredit];
}
