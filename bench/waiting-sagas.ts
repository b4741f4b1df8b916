// The bench's memory phase (`--waiting N`): N sagas started and left waiting on a step
// whose participant never runs, then the coordinator's resident set. State lives in
// PostgreSQL and the attempt deadline in a row, so what the coordinator holds must not
// grow with the number of open sagas (issue 9: at most 250 MB with 100,000 waiting).
import type { Pool } from 'pg';
import type { KafkaBus } from '@saga-coordinator/participant/kafka';
import type { StartSagaMessage } from '@saga-coordinator/participant/protocol';
import type { SagaDefinition } from '../src/core/saga-definition';
import { startRecords } from './closed-loop-driver';
import { readMemory } from './proc-stats';

/** Nobody consumes this participant's commands: its step waits until the (day-long) timeout. */
export const WAITING_PARTICIPANT = 'bench-absent';

export function waitingDefinition(name: string): SagaDefinition {
  return { name, steps: [{ name: 'wait', participant: WAITING_PARTICIPANT, command: 'bench.wait.do', compensation: 'bench.wait.undo', timeoutMs: 86_400_000 }] };
}

export interface WaitingFigures {
  sagas: number;
  /** From the first start sent to the last one taken up (its step command sent). */
  secondsToTakeUp: number;
  /** Resident set of all replicas once every saga waits, MiB (sum over replicas). */
  coordinatorRssMb: number;
  /** The largest resident set over the replicas' lives (VmHWM), MiB (sum over replicas). */
  coordinatorPeakRssMb: number;
  /** V8 heap in use then (prom-client's nodejs_heap_size_used_bytes), MiB (sum over replicas): live objects plus garbage not yet collected. */
  coordinatorHeapUsedMb: number | null;
}

/** One gauge of a replica's /metrics (Prometheus text), or null when it cannot be read. */
async function gauge(port: number, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const START_BATCH = 500;
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

export async function runWaitingSagas(o: {
  bus: KafkaBus;
  startTopic: string;
  definition: string;
  runId: string;
  count: number;
  coordinatorDb: Pool;
  coordinators: { pid: number; port: number }[];
  deadline: number;
  say: (line: string) => void;
}): Promise<WaitingFigures> {
  o.say(`  starting ${o.count} sagas that wait on a step nobody answers...`);
  const startedAt = Date.now();
  for (let from = 0; from < o.count; from += START_BATCH) {
    const batch: StartSagaMessage[] = [];
    for (let i = from; i < Math.min(o.count, from + START_BATCH); i++) {
      const key = `${o.runId}-waiting-${i}`;
      batch.push({ protocolVersion: 1, idempotencyKey: key, businessKey: key, definition: o.definition, input: { i } });
    }
    await o.bus.publish(startRecords(o.startTopic, batch));
  }
  // Taken up = its attempt row exists: the transaction that created the saga also sent the command.
  for (;;) {
    const { rows } = await o.coordinatorDb.query<{ n: number }>(`select count(*)::int as n from step_attempts a join saga_instances s using (saga_id) where s.definition_name = $1`, [o.definition]);
    if (rows[0].n >= o.count) break;
    if (Date.now() > o.deadline) throw new Error(`only ${rows[0].n} of ${o.count} waiting sagas were taken up in time`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const secondsToTakeUp = (Date.now() - startedAt) / 1000;
  // Let the batches' garbage go before reading the resident set: what remains is what waiting costs.
  await new Promise((r) => setTimeout(r, 5_000));
  const memory = o.coordinators.map((c) => readMemory(c.pid) ?? { rssKb: 0, hwmKb: 0 });
  const heaps = await Promise.all(o.coordinators.map((c) => gauge(c.port, 'nodejs_heap_size_used_bytes')));
  return {
    sagas: o.count,
    secondsToTakeUp: Math.round(secondsToTakeUp * 10) / 10,
    coordinatorRssMb: mb(memory.reduce((s, m) => s + m.rssKb, 0)),
    coordinatorPeakRssMb: mb(memory.reduce((s, m) => s + m.hwmKb, 0)),
    coordinatorHeapUsedMb: heaps.some((h) => h === null) ? null : mb((heaps as number[]).reduce((s, h) => s + h, 0) / 1024),
  };
}
