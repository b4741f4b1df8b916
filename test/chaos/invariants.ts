/**
 * The invariants a chaos run checks, each with its figure: a pure function of what the
 * run measured, so every invariant is unit-tested with figures that break it.
 * "Faults become pauses, not failures": nothing lost or doubled, the business data
 * consistent, nothing left behind, every saga ended on its own with the outcome it
 * would have had without the faults, and no process died of a fault it was not hit by.
 */
import type { ConsistencyReport } from '../../examples/order-fulfilment/demo/consistency-check';
import type { DoubledEffects } from './business-effects';
import { sumOf, type CompensationCauses } from './compensation-causes';
import type { StatusCounts } from './coordinator-checks';
import type { FaultRecord } from './fault-injector';
import type { LoadFigures } from './order-load';
import type { Crash } from './supervisor';

export interface ChaosFigures {
  load: LoadFigures;
  /** Faults scheduled, and those run. */
  scheduledFaults: number;
  faults: FaultRecord[];
  counts: StatusCounts;
  /** Accepted orders that have no saga. */
  lostOrders: string[];
  /** Orders with more than one saga. */
  duplicatedOrders: { orderId: string; sagas: number }[];
  doubled: DoubledEffects;
  consistency: ConsistencyReport;
  unsentOutbox: number;
  timersOfFinishedSagas: number;
  compensations: CompensationCauses;
  crashes: Crash[];
}

export interface Invariant {
  name: string;
  ok: boolean;
  /** The figure behind it, e.g. "3000 accepted orders, 3000 with a saga". */
  figure: string;
}

const list = (items: string[], max = 5) => (items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`);
const breakdown = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

export function checkInvariants(f: ChaosFigures): Invariant[] {
  const running = f.counts.RUNNING + f.counts.COMPENSATING;
  const doubled = f.doubled.creditReservedTwice + f.doubled.stockReservedTwice + f.doubled.shippedTwice;
  const retriesExhausted = sumOf(f.compensations.retriesExhausted);
  const other = sumOf(f.compensations.other);
  const failedFaults = f.faults.filter((x) => x.error);
  return [
    {
      name: 'every scheduled fault was injected',
      ok: f.faults.length === f.scheduledFaults && failedFaults.length === 0,
      figure: `${f.faults.length - failedFaults.length} of ${f.scheduledFaults} injected${failedFaults.length ? `; failed: ${list(failedFaults.map((x) => `${x.kind} (${x.error})`))}` : ''}`,
    },
    {
      name: 'every order was accepted',
      ok: f.load.accepted === f.load.submitted && f.load.refused.length === 0 && f.load.submitted > 0,
      figure: `${f.load.accepted} of ${f.load.submitted} accepted (${f.load.viaStartTopic} on the start topic, ${f.load.viaRest} by REST, ${f.load.retried} after retries)${f.load.refused.length ? `; refused: ${list(f.load.refused.map((r) => `${r.orderId} (${r.reason})`), 3)}` : ''}`,
    },
    {
      name: '0 sagas lost',
      ok: f.lostOrders.length === 0,
      figure: `${f.load.accepted - f.lostOrders.length} of ${f.load.accepted} accepted orders have a saga${f.lostOrders.length ? `; without: ${list(f.lostOrders)}` : ''}`,
    },
    {
      name: 'one saga per order',
      ok: f.duplicatedOrders.length === 0,
      figure: `${f.duplicatedOrders.length} orders with more than one saga${f.duplicatedOrders.length ? `: ${list(f.duplicatedOrders.map((d) => `${d.orderId} (${d.sagas})`))}` : ''}`,
    },
    {
      name: '0 business effects doubled',
      ok: doubled === 0,
      figure: `${f.doubled.creditReservedTwice} credit, ${f.doubled.stockReservedTwice} stock, ${f.doubled.shippedTwice} shipments doubled${f.doubled.examples.length ? `: ${list(f.doubled.examples, 3)}` : ''}`,
    },
    {
      name: "the example's consistency check (credit and stock conserved)",
      ok: f.consistency.ok,
      figure: f.consistency.ok
        ? `${f.consistency.checked.completed} completed and ${f.consistency.checked.compensated} compensated orders checked; credit conserved for ${f.consistency.checked.customers} customers, stock for ${f.consistency.checked.skus} SKUs`
        : `${f.consistency.violations.length} violations: ${list(f.consistency.violations, 3)}`,
    },
    { name: 'outbox drained', ok: f.unsentOutbox === 0, figure: `${f.unsentOutbox} outbox rows unsent` },
    { name: 'no timers left for finished sagas', ok: f.timersOfFinishedSagas === 0, figure: `${f.timersOfFinishedSagas} timers of COMPLETED or COMPENSATED sagas` },
    { name: 'no saga still running', ok: running === 0, figure: `${f.counts.RUNNING} RUNNING, ${f.counts.COMPENSATING} COMPENSATING` },
    { name: '0 FAILED', ok: f.counts.FAILED === 0, figure: `${f.counts.FAILED} sagas FAILED (waiting for an operator)` },
    {
      name: '0 compensations caused by retries exhausted',
      ok: retriesExhausted === 0,
      figure: `${retriesExhausted} of ${f.compensations.total} sagas that compensated or began to${retriesExhausted ? ` (${breakdown(f.compensations.retriesExhausted)})` : ''}`,
    },
    {
      name: '0 compensations of any other cause',
      ok: other === 0,
      figure: `${other} of ${f.compensations.total} sagas that compensated or began to${other ? ` (${breakdown(f.compensations.other)})` : ''}`,
    },
    {
      name: 'no process exited on its own',
      ok: f.crashes.length === 0,
      figure: `${f.crashes.length} exits${f.crashes.length ? `: ${list(f.crashes.map((c) => `${c.service} (${c.signal ?? `code ${c.code}`})`))}` : ''}`,
    },
  ];
}

export function violations(invariants: Invariant[]): string[] {
  return invariants.filter((i) => !i.ok).map((i) => `${i.name}: ${i.figure}`);
}
