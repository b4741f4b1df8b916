// One example participant as its own process, as examples/order-fulfilment/participants/
// participant-process.ts runs it, but with the chaos run's seeded flakiness:
//
//   node -r ts-node/register/transpile-only test/chaos/chaos-participant-process.ts payments
//
// Env: DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX (all required), FLAKY_RATE and
// FLAKY_SEED (inventory and shipping only; default 0), LOG_LEVEL (default warn).
// Prints "ready <name>" once it consumes; SIGTERM stops it.
import type { ParticipantLogLevel } from '@saga-coordinator/participant';
import { reliable } from '../../examples/order-fulfilment/flakiness';
import { PARTICIPANTS, type ParticipantName } from '../../examples/order-fulfilment/order';
import { startExampleParticipant } from '../../examples/order-fulfilment/participants/example-participant';
import { FLAKY_PARTICIPANTS, seededFlakiness } from './seeded-flakiness';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const name = process.argv[2] as ParticipantName;
  if (!PARTICIPANTS.includes(name)) throw new Error(`usage: chaos-participant-process.ts <${PARTICIPANTS.join('|')}>`);
  const rate = Number(process.env.FLAKY_RATE ?? '0');
  const seed = Number(process.env.FLAKY_SEED ?? '0');
  if (!(rate >= 0 && rate <= 1) || !Number.isInteger(seed)) throw new Error(`FLAKY_RATE must be in [0, 1] and FLAKY_SEED an integer, got ${process.env.FLAKY_RATE} / ${process.env.FLAKY_SEED}`);
  const running = await startExampleParticipant(name, {
    kafka: { brokers: required('KAFKA_BROKERS').split(','), clientId: `chaos-${name}` },
    topicPrefix: required('KAFKA_TOPIC_PREFIX'),
    databaseUrl: required('DATABASE_URL'),
    flakiness: FLAKY_PARTICIPANTS.includes(name) && rate > 0 ? seededFlakiness(rate, seed) : reliable,
    logger: (process.env.LOG_LEVEL as ParticipantLogLevel | undefined) ?? 'warn',
  });
  process.stdout.write(`ready ${name}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`stopping ${name} failed: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`participant failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
