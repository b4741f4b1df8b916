// Starts one of the example's participants: its own database pool, its tables
// (business-schema.ts), and an SDK Participant with its handlers.
import { Pool } from 'pg';
import { Participant, type ParticipantKafka, type ParticipantLogger, type ParticipantLogLevel, type SomeStepHandler } from '@saga-coordinator/participant';
import { migrateBusinessSchema } from '../business-schema';
import { reliable, type FlakinessPolicy } from '../flakiness';
import type { ParticipantName } from '../order';
import { inventoryHandlers } from './inventory.participant';
import { ordersHandlers } from './orders.participant';
import { paymentsHandlers } from './payments.participant';
import { shippingHandlers } from './shipping.participant';

export interface ExampleParticipantOptions {
  kafka: ParticipantKafka;
  topicPrefix: string;
  databaseUrl: string;
  flakiness?: FlakinessPolicy;
  logger?: ParticipantLogger | ParticipantLogLevel;
  /** @default 30000 */
  sessionTimeoutMs?: number;
}

export interface RunningParticipant {
  participant: Participant;
  pool: Pool;
  stop(): Promise<void>;
}

const HANDLERS: Record<ParticipantName, (flakiness: FlakinessPolicy) => SomeStepHandler[]> = {
  orders: () => ordersHandlers(),
  payments: () => paymentsHandlers(),
  inventory: (f) => inventoryHandlers(f),
  shipping: (f) => shippingHandlers(f),
};

export async function startExampleParticipant(name: ParticipantName, options: ExampleParticipantOptions): Promise<RunningParticipant> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: 12, application_name: `example-${name}` });
  pool.on('error', () => undefined); // an idle connection dropped by the server; the next checkout reconnects
  try {
    await migrateBusinessSchema(pool, name);
    const participant = new Participant({
      name,
      kafka: options.kafka,
      topicPrefix: options.topicPrefix,
      database: pool,
      // Every partition at once, many sagas per partition: a stalled command must not hold up the others.
      partitionsConsumedConcurrently: 12,
      sagasPerPartition: 16,
      sessionTimeoutMs: options.sessionTimeoutMs,
      logger: options.logger,
    });
    for (const handler of HANDLERS[name](options.flakiness ?? reliable)) participant.handle(handler);
    await participant.start();
    return {
      participant,
      pool,
      stop: async () => {
        await participant.stop();
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}
