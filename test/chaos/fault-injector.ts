/**
 * Runs the fault schedule against the live run, one fault after the other, each at its
 * time (or MIN_GAP_MS after the previous one was over), logs each with its time, and measures
 * what it cost:
 *   coordinator-kill  time to the replacement answering /health and /health/ready
 *   payments-kill     time to the replacement consuming again
 *   broker-*          how long the broker was down
 *   postgres-restart  how long pg_ctl restart took
 * and for each, how long the stream stood still: the time from the fault until every
 * reply (payments: every command) written in the second after it was consumed and
 * committed — for a broker stop, in the second after the broker answered again. Under a
 * steady load there are always some, and those on a dead consumer's partitions wait for
 * the group to move them; a measure of what was waiting *at* the fault would miss that.
 */
import type { PrivateKafka } from '../harness/private-kafka';
import type { PrivatePostgres } from '../harness/private-postgres';
import type { ConsumerProgress, Offsets } from './consumer-progress';
import { describeFault, type FaultKind, type ScheduledFault } from './fault-schedule';
import type { Supervisor } from './supervisor';

/** A recovery not reached within this bound is reported as not reached (null). */
const RECOVERY_BOUND_MS = 300_000;
/** The stream's flow is judged by what is written this long after the fault. */
const PROBE_AFTER_MS = 1_000;
/** A fault falls at least this long after the previous one was over (the broker answers again, say), so faults never overlap. */
const MIN_GAP_MS = 5_000;

export interface FaultTargets {
  supervisor: Supervisor;
  postgres: PrivatePostgres;
  kafka: PrivateKafka;
  progress: ConsumerProgress;
  coordinators: { name: string; port: number }[];
  coordinatorGroup: string;
  repliesTopic: string;
  payments: { name: string; group: string; commandTopic: string };
  brokerDownMs: number;
  /** Epoch ms of the first order: fault times count from it. */
  t0: number;
  log(line: string): void;
  signal: AbortSignal;
}

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  scheduledAtMs: number;
  /** When it struck, ms after t0. */
  atMs: number;
  /** How long the action itself took (a broker's shutdown, pg_ctl restart). */
  actionMs: number;
  /** broker-*: from the stop until it answered again. */
  outageMs?: number;
  /** coordinator-kill: from the kill until the replacement answered GET /health (200). */
  healthMs?: number | null;
  /** coordinator-kill: … GET /health/ready (200); payments-kill: until it printed "ready". */
  readyMs?: number | null;
  /** From the fault until every reply (payments-kill: command) written in the second after it (broker: after its return) was consumed and committed. */
  caughtUpMs?: number | null;
  error?: string;
}

export class FaultInjector {
  private readonly measuring: Promise<void>[] = [];
  private readonly records: FaultRecord[] = [];

  constructor(private readonly t: FaultTargets) {}

  /** Runs every fault; resolves once all are done and measured (or the measurements hit their bound). */
  async run(schedule: ScheduledFault[]): Promise<FaultRecord[]> {
    let previousEnd = 0;
    for (const fault of schedule) {
      const wait = Math.max(this.t.t0 + fault.atMs, previousEnd + MIN_GAP_MS) - Date.now();
      if (wait > 0) await sleep(wait, this.t.signal);
      if (this.t.signal.aborted) break;
      const record = await this.inject(fault).catch((err: Error) => ({ kind: fault.kind, target: '-', scheduledAtMs: fault.atMs, atMs: Date.now() - this.t.t0, actionMs: 0, error: err.message }));
      if (record.error) this.t.log(`${stamp(record.atMs)}  FAULT ${fault.kind} could not be injected: ${record.error}`);
      this.records.push(record);
      previousEnd = Date.now();
    }
    await Promise.all(this.measuring);
    return this.records;
  }

  /** Faults done so far (for the progress line). */
  count(): number {
    return this.records.length;
  }

  private async inject(fault: ScheduledFault): Promise<FaultRecord> {
    const now = () => Date.now() - this.t.t0;
    const base = { kind: fault.kind, scheduledAtMs: fault.atMs };
    switch (fault.kind) {
      case 'coordinator-kill': {
        const target = await this.runningCoordinator(fault.replica ?? 0);
        const at = Date.now();
        const pid = await this.t.supervisor.kill(target.name, 'SIGKILL');
        const record: FaultRecord = { ...base, target: target.name, atMs: at - this.t.t0, actionMs: Date.now() - at };
        this.t.log(`${stamp(record.atMs)}  FAULT ${describeFault(fault)} → ${target.name} (pid ${pid})`);
        this.measure(record, async () => {
          const [health, ready, caughtUp] = await Promise.all([
            untilOk(`http://127.0.0.1:${target.port}/health`, at, this.t.signal),
            untilOk(`http://127.0.0.1:${target.port}/health/ready`, at, this.t.signal),
            this.flowingAgain(this.t.coordinatorGroup, this.t.repliesTopic, at, at),
          ]);
          Object.assign(record, { healthMs: health, readyMs: ready, caughtUpMs: caughtUp });
          this.t.log(
            `${stamp(now())}  after the kill of ${target.name} at ${secs(record.atMs)}: /health ${secs(health)}, /health/ready ${secs(ready)}, replies applied again ${secs(caughtUp)}`,
          );
        });
        return record;
      }
      case 'payments-kill': {
        const { name, group, commandTopic } = this.t.payments;
        const at = Date.now();
        const pid = await this.t.supervisor.kill(name, 'SIGKILL');
        const record: FaultRecord = { ...base, target: name, atMs: at - this.t.t0, actionMs: Date.now() - at };
        this.t.log(`${stamp(record.atMs)}  FAULT ${describeFault(fault)} (pid ${pid})`);
        this.measure(record, async () => {
          const [ready, caughtUp] = await Promise.all([
            this.until(() => this.t.supervisor.isReady(name), at),
            this.flowingAgain(group, commandTopic, at, at),
          ]);
          Object.assign(record, { readyMs: ready, caughtUpMs: caughtUp });
          this.t.log(`${stamp(now())}  after the kill of ${name} at ${secs(record.atMs)}: consuming again ${secs(ready)}, commands handled again ${secs(caughtUp)}`);
        });
        return record;
      }
      case 'broker-term':
      case 'broker-kill': {
        const signal = fault.kind === 'broker-term' ? 'SIGTERM' : 'SIGKILL';
        const at = Date.now();
        this.t.log(`${stamp(at - this.t.t0)}  FAULT ${describeFault(fault)} (pid ${this.t.kafka.pid})`);
        await this.t.kafka.stop(signal);
        const actionMs = Date.now() - at;
        await sleep(this.t.brokerDownMs, this.t.signal);
        await this.t.kafka.start();
        const record: FaultRecord = { ...base, target: 'broker', atMs: at - this.t.t0, actionMs, outageMs: Date.now() - at };
        this.t.log(`${stamp(now())}  broker answers again: down ${secs(record.outageMs)} (its ${signal === 'SIGTERM' ? 'shutdown' : 'kill'} took ${secs(actionMs)})`);
        this.measure(record, async () => {
          record.caughtUpMs = await this.flowingAgain(this.t.coordinatorGroup, this.t.repliesTopic, at, at + record.outageMs!);
          this.t.log(`${stamp(now())}  after the broker stop at ${secs(record.atMs)}: replies applied again ${secs(record.caughtUpMs)} after the stop`);
        });
        return record;
      }
      case 'postgres-restart': {
        const at = Date.now();
        this.t.log(`${stamp(at - this.t.t0)}  FAULT ${describeFault(fault)}`);
        await this.t.postgres.restart('immediate');
        const record: FaultRecord = { ...base, target: 'postgres', atMs: at - this.t.t0, actionMs: Date.now() - at };
        this.t.log(`${stamp(now())}  PostgreSQL accepts connections again after ${secs(record.actionMs)}`);
        this.measure(record, async () => {
          record.caughtUpMs = await this.flowingAgain(this.t.coordinatorGroup, this.t.repliesTopic, at, at);
          this.t.log(`${stamp(now())}  after the PostgreSQL restart at ${secs(record.atMs)}: replies applied again ${secs(record.caughtUpMs)}`);
        });
        return record;
      }
    }
  }

  private measure(record: FaultRecord, fn: () => Promise<void>): void {
    this.measuring.push(fn().catch((err: Error) => void (record.error = `measuring failed: ${err.message}`)));
  }

  /**
   * From `since` (the fault) until `group` has committed everything written to `topic`
   * up to PROBE_AFTER_MS after `probeFrom` (the fault, or the broker's return).
   */
  private async flowingAgain(group: string, topic: string, since: number, probeFrom: number): Promise<number | null> {
    await sleep(Math.max(0, probeFrom + PROBE_AFTER_MS - Date.now()), this.t.signal);
    let target: Offsets | undefined;
    while (!target && Date.now() - since < RECOVERY_BOUND_MS && !this.t.signal.aborted) {
      target = await this.t.progress.endOffsets(topic);
      if (!target) await sleep(250, this.t.signal);
    }
    if (!target) return null;
    return this.t.progress.caughtUp(group, topic, target, since, RECOVERY_BOUND_MS, this.t.signal);
  }

  /** The scheduled replica if it runs, else the next one that does (a replica may still be restarting). */
  private async runningCoordinator(preferred: number): Promise<{ name: string; port: number }> {
    const list = this.t.coordinators;
    const deadline = Date.now() + 60_000;
    for (;;) {
      for (let i = 0; i < list.length; i++) {
        const c = list[(preferred + i) % list.length];
        if (this.t.supervisor.isRunning(c.name)) return c;
      }
      if (Date.now() > deadline) throw new Error('no coordinator replica has been running for 60 s');
      await sleep(250, this.t.signal);
    }
  }

  private async until(holds: () => boolean, since: number): Promise<number | null> {
    while (Date.now() - since < RECOVERY_BOUND_MS && !this.t.signal.aborted) {
      if (holds()) return Date.now() - since;
      await sleep(100, this.t.signal);
    }
    return null;
  }
}

/** Polls `url` until it answers 200; ms from `since`, or null after the bound. */
async function untilOk(url: string, since: number, signal: AbortSignal): Promise<number | null> {
  while (Date.now() - since < RECOVERY_BOUND_MS && !signal.aborted) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return Date.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(100, signal);
  }
  return null;
}

export function stamp(ms: number): string {
  return `  t+${(ms / 1000).toFixed(1).padStart(6)}s`;
}

export function secs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? 'not reached' : `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
