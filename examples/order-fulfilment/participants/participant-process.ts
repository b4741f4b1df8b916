// One example participant as its own process:
//
//   node -r ts-node/register/transpile-only examples/order-fulfilment/participants/participant-process.ts payments
//
// Env: DATABASE_URL (its own database; required), KAFKA_BROKERS (default: what
// `npm run infra:up` found, else 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default saga),
// FLAKY_RATE (fraction of commands that time out, inventory and shipping only; default 0),
// LOG_LEVEL (default info). Prints "ready <name>" once it consumes; SIGTERM/SIGINT stop it.
import { readLocalInfraEnv } from '../../../src/config/local-infra-env';
import type { ParticipantLogLevel } from '@saga-coordinator/participant';
import { randomFlakiness } from '../flakiness';
import { PARTICIPANTS, type ParticipantName } from '../order';
import { startExampleParticipant } from './example-participant';

async function main(): Promise<void> {
  const name = process.argv[2] as ParticipantName;
  if (!PARTICIPANTS.includes(name)) throw new Error(`usage: participant-process.ts <${PARTICIPANTS.join('|')}>`);
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required: the participant\'s own database');
  const brokers = (process.env.KAFKA_BROKERS || readLocalInfraEnv().KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((b) => b.trim());
  const flakyRate = Number(process.env.FLAKY_RATE ?? '0');
  if (!(flakyRate >= 0 && flakyRate <= 1)) throw new Error(`FLAKY_RATE must be between 0 and 1, got ${process.env.FLAKY_RATE}`);

  const running = await startExampleParticipant(name, {
    kafka: { brokers, clientId: `example-${name}` },
    topicPrefix: process.env.KAFKA_TOPIC_PREFIX || 'saga',
    databaseUrl,
    flakiness: randomFlakiness(flakyRate),
    logger: (process.env.LOG_LEVEL as ParticipantLogLevel | undefined) ?? 'info',
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
