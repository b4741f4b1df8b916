/**
 * The faults of a chaos run and when they fall: a pure function of the seed, so a run
 * can be repeated and its schedule printed before it starts.
 *
 *   coordinator-kill  SIGKILL one coordinator replica (the supervisor restarts it)
 *   payments-kill     SIGKILL the payments participant (the supervisor restarts it)
 *   broker-term       stop the broker with SIGTERM (controlled shutdown), start it again
 *   broker-kill       SIGKILL the broker (a crash: log recovery on start), start it again
 *   postgres-restart  `pg_ctl restart -m immediate`: every backend killed, WAL recovery
 *
 * The load window is cut into one slot per fault; each fault falls at a seeded point of
 * the middle of its slot, so faults are spread out and do not pile up (overlapping
 * faults would blur what each one costs). The injector runs them one after the other
 * and logs when each really happened.
 */
import { seededRandom } from '../../examples/order-fulfilment/demo/order-generator';

export const FAULT_KINDS = ['coordinator-kill', 'payments-kill', 'broker-term', 'broker-kill', 'postgres-restart'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ScheduledFault {
  /** Milliseconds after the first order was submitted. */
  atMs: number;
  kind: FaultKind;
  /** The coordinator replica to kill (0-based), for coordinator-kill. */
  replica: number | null;
}

export interface FaultScheduleInput {
  counts: Record<FaultKind, number>;
  /** How long the load lasts. */
  loadMs: number;
  replicas: number;
  seed: number;
}

/** Faults fall within this part of the load: not before the load is steady, and early enough that the load still runs after the last one. */
const WINDOW = { from: 0.1, to: 0.9 } as const;

export function faultSchedule(input: FaultScheduleInput): ScheduledFault[] {
  const random = seededRandom(input.seed ^ 0x5eed);
  const kinds: FaultKind[] = FAULT_KINDS.flatMap((k) => Array.from({ length: input.counts[k] }, () => k));
  // Fisher-Yates, seeded: which fault comes when.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const from = input.loadMs * WINDOW.from;
  const slot = kinds.length === 0 ? 0 : (input.loadMs * (WINDOW.to - WINDOW.from)) / kinds.length;
  return kinds.map((kind, i) => ({
    atMs: Math.round(from + slot * (i + 0.25 + 0.5 * random())),
    kind,
    replica: kind === 'coordinator-kill' ? Math.floor(random() * input.replicas) : null,
  }));
}

export function describeFault(f: Pick<ScheduledFault, 'kind' | 'replica'>): string {
  switch (f.kind) {
    case 'coordinator-kill':
      return `SIGKILL coordinator-${(f.replica ?? 0) + 1}`;
    case 'payments-kill':
      return 'SIGKILL the payments participant';
    case 'broker-term':
      return 'stop the broker (SIGTERM), start it again';
    case 'broker-kill':
      return 'kill the broker (SIGKILL), start it again';
    case 'postgres-restart':
      return 'restart PostgreSQL (pg_ctl restart -m immediate)';
  }
}
