// One participant process of `npm run bench`, started by the bench: hosts the bench
// participants named in BENCH_STEPS, prints a ready line, and on SIGTERM stops them
// (the running batch finishes, its replies go out) and writes its timings to
// BENCH_TIMINGS_FILE. Configured by environment only; the bench sets every variable.
import { Pool } from 'pg';
import type { Participant } from '@saga-coordinator/participant';
import { PARTICIPANTS_READY_LINE, startBenchParticipants } from './bench-participants';
import { ArrivalStampingBus, TimingRecorder } from './participant-timings';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (the bench sets it)`);
  return value;
}

async function main(): Promise<void> {
  const steps = env('BENCH_STEPS').split(',').map(Number);
  const recorder = new TimingRecorder();
  const pool = new Pool({ connectionString: env('DATABASE_URL'), max: Number(env('BENCH_POOL_SIZE')) });
  // The bench drops the database WITH (FORCE) at the end; an idle connection's death must not crash this process.
  pool.on('error', () => undefined);
  const bus = new ArrivalStampingBus({ brokers: env('KAFKA_BROKERS').split(','), clientId: `saga-bench-participants-${steps.join('-')}` }, recorder);
  await bus.connect();
  let participants: Participant[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const p of participants) await p.stop();
    await bus.disconnect();
    await pool.end().catch(() => undefined);
    recorder.writeTo(env('BENCH_TIMINGS_FILE'));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  participants = await startBenchParticipants({ bus, pool, prefix: env('KAFKA_TOPIC_PREFIX'), steps, partitions: Number(env('KAFKA_PARTITIONS')), recorder });
  process.stdout.write(`${PARTICIPANTS_READY_LINE}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench participant process failed: ${err.stack}\n`);
  process.exit(1);
});
