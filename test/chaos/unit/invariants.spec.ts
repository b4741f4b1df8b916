import { checkInvariants, violations, type ChaosFigures } from '../invariants';

function healthy(): ChaosFigures {
  return {
    load: { submitted: 100, accepted: 100, viaStartTopic: 50, viaRest: 50, retried: 7, refused: [] },
    scheduledFaults: 2,
    faults: [
      { kind: 'coordinator-kill', target: 'coordinator-1', scheduledAtMs: 10_000, atMs: 10_000, actionMs: 5, healthMs: 1_500, readyMs: 1_800, caughtUpMs: 6_000 },
      { kind: 'postgres-restart', target: 'postgres', scheduledAtMs: 20_000, atMs: 20_000, actionMs: 700, caughtUpMs: 3_000 },
    ],
    counts: { RUNNING: 0, COMPENSATING: 0, COMPLETED: 80, COMPENSATED: 20, FAILED: 0 },
    lostOrders: [],
    duplicatedOrders: [],
    doubled: { creditReservedTwice: 0, stockReservedTwice: 0, shippedTwice: 0, examples: [] },
    consistency: { ok: true, violations: [], checked: { completed: 80, compensated: 20, notChecked: 0, customers: 48, skus: 5 } },
    unsentOutbox: 0,
    timersOfFinishedSagas: 0,
    compensations: { total: 20, escalated: 0, business: { OUT_OF_STOCK: 12, INSUFFICIENT_CREDIT: 7 }, flakiness: 1, retriesExhausted: {}, other: {} },
    crashes: [],
  };
}

describe('chaos invariants', () => {
  it('all hold for a run where faults only paused things', () => {
    const inv = checkInvariants(healthy());
    expect(violations(inv)).toEqual([]);
    expect(inv.map((i) => i.name)).toEqual([
      'every scheduled fault was injected',
      'every order was accepted',
      '0 sagas lost',
      'one saga per order',
      '0 business effects doubled',
      "the example's consistency check (credit and stock conserved)",
      'outbox drained',
      'no timers left for finished sagas',
      'no saga still running',
      '0 FAILED',
      '0 compensations caused by retries exhausted',
      '0 compensations of any other cause',
      'no process exited on its own',
    ]);
  });

  const breaks: [string, (f: ChaosFigures) => void, RegExp][] = [
    ['a fault could not be injected', (f) => (f.faults[1] = { ...f.faults[1], error: 'pg_ctl failed' }), /^every scheduled fault was injected: 1 of 2 injected; failed: postgres-restart \(pg_ctl failed\)/],
    ['a fault was never run', (f) => f.faults.pop(), /^every scheduled fault was injected: 1 of 2/],
    ['an order was refused', (f) => {
      f.load.accepted = 99;
      f.load.refused = [{ orderId: 'o-9', reason: 'HTTP 503' }];
    }, /^every order was accepted: 99 of 100 accepted .*refused: o-9 \(HTTP 503\)/],
    ['a saga was lost', (f) => (f.lostOrders = ['o-3']), /^0 sagas lost: 99 of 100 accepted orders have a saga; without: o-3/],
    ['an order has two sagas', (f) => (f.duplicatedOrders = [{ orderId: 'o-4', sagas: 2 }]), /^one saga per order: 1 orders with more than one saga: o-4 \(2\)/],
    ['a shipment was doubled', (f) => (f.doubled = { creditReservedTwice: 0, stockReservedTwice: 0, shippedTwice: 1, examples: ['order o-5: 2 shipments'] }), /^0 business effects doubled: 0 credit, 0 stock, 1 shipments doubled: order o-5: 2 shipments/],
    ['credit is not conserved', (f) => (f.consistency = { ...f.consistency, ok: false, violations: ['customer c-1: credit not conserved'] }), /consistency check .*: 1 violations: customer c-1/],
    ['the outbox holds rows', (f) => (f.unsentOutbox = 3), /^outbox drained: 3 outbox rows unsent/],
    ['a finished saga kept a timer', (f) => (f.timersOfFinishedSagas = 1), /^no timers left for finished sagas: 1 timers/],
    ['a saga still runs', (f) => (f.counts.COMPENSATING = 2), /^no saga still running: 0 RUNNING, 2 COMPENSATING/],
    ['a saga FAILED', (f) => (f.counts.FAILED = 41), /^0 FAILED: 41 sagas FAILED/],
    ['retries ran out', (f) => (f.compensations.retriesExhausted = { 'createOrder: ATTEMPT_TIMED_OUT': 9 }), /^0 compensations caused by retries exhausted: 9 of 20 sagas that compensated or began to \(createOrder: ATTEMPT_TIMED_OUT 9\)/],
    ['a compensation had another cause', (f) => (f.compensations.other = { 'deadline-reached': 1 }), /^0 compensations of any other cause: 1 of 20 sagas that compensated or began to \(deadline-reached 1\)/],
    ['a process crashed', (f) => (f.crashes = [{ service: 'coordinator-2', at: 0, code: 1, signal: null, lastLines: ['Connection terminated unexpectedly'] }]), /^no process exited on its own: 1 exits: coordinator-2 \(code 1\)/],
  ];

  it.each(breaks)('flags exactly one invariant when %s, with its figure', (_what, breakIt, message) => {
    const f = healthy();
    breakIt(f);
    const v = violations(checkInvariants(f));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatch(message);
  });
});
