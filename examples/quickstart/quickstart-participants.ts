// The three participants of the README's first saga (order.saga.json), in one process:
//
//   npm run quickstart:participants
//
// orders creates and cancels an order, payments charges up to 1000 and declines more
// (so the saga compensates), shipping ships. They keep their data in memory and are
// idempotent by nature (keyed by saga id), so they need no database: see
// docs/participant-sdk.md for participants with a database and the barrier.
// Env: KAFKA_BROKERS (default: what `npm run infra:up` found, else 127.0.0.1:9092),
// KAFKA_TOPIC_PREFIX (default saga). Prints "ready" once all three consume.
import { failure, Participant, success } from '@saga-coordinator/participant';
import { readLocalInfraEnv } from '../../src/config/local-infra-env';

const CARD_LIMIT = 1_000;

function participants(brokers: string[], topicPrefix: string): Participant[] {
  const common = { kafka: { brokers, clientId: 'quickstart' }, topicPrefix, logger: 'warn' as const };
  const say = (line: string) => process.stdout.write(`${line}\n`);

  const ordersService = new Participant({ ...common, name: 'orders' });
  ordersService.handle<{ orderId: string }, { orderRef: string }>({
    command: 'order.create',
    compensation: 'order.cancel',
    async execute({ orderId }) {
      say(`orders    created order ${orderId}`);
      return success({ orderRef: `ord-${orderId}` });
    },
    async compensate({ input }) {
      say(`orders    cancelled order ${input.orderId}`);
      return success();
    },
  });

  const payments = new Participant({ ...common, name: 'payments' });
  payments.handle<{ orderRef: string; amount: number }, { paymentId: string }>({
    command: 'payment.charge',
    compensation: 'payment.refund',
    async execute({ orderRef, amount }, { sagaId }) {
      if (amount > CARD_LIMIT) {
        say(`payments  declined ${amount} for ${orderRef} (limit ${CARD_LIMIT})`);
        return failure('CARD_DECLINED', `the card limit is ${CARD_LIMIT}, the order costs ${amount}`);
      }
      say(`payments  charged ${amount} for ${orderRef}`);
      return success({ paymentId: `pay-${sagaId.slice(0, 8)}` });
    },
    async compensate({ input, output }) {
      // output is null when the charge's reply never reached the coordinator: nothing known to refund.
      say(output ? `payments  refunded ${input.amount} for ${input.orderRef}` : `payments  nothing to refund for ${input.orderRef}`);
      return success();
    },
  });

  const shipping = new Participant({ ...common, name: 'shipping' });
  shipping.handle<{ orderRef: string }, { trackingId: string }>({
    command: 'shipment.create',
    async execute({ orderRef }, { sagaId }) {
      say(`shipping  shipped ${orderRef}`);
      return success({ trackingId: `trk-${sagaId.slice(0, 8)}` });
    },
  });
  return [ordersService, payments, shipping];
}

async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS || readLocalInfraEnv().KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((b) => b.trim());
  const running = participants(brokers, process.env.KAFKA_TOPIC_PREFIX || 'saga');
  await Promise.all(running.map((p) => p.start()));
  process.stdout.write('ready: orders, payments and shipping consume their commands (Ctrl-C stops them)\n');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.all(running.map((p) => p.stop())).then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`stopping failed: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`quickstart participants failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
