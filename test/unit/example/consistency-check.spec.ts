// The demo's consistency check must catch every way the business data can go wrong:
// each case below starts from a consistent snapshot and breaks one thing.
import { checkConsistency, type BusinessSnapshot } from '../../../examples/order-fulfilment/demo/consistency-check';
import type { OrderInput } from '../../../examples/order-fulfilment/order';

const submitted: OrderInput[] = [
  { orderId: 'o-1', customerId: 'c-1', lines: [{ sku: 'apple', quantity: 2 }, { sku: 'bread', quantity: 1 }], amount: 500 },
  { orderId: 'o-2', customerId: 'c-1', lines: [{ sku: 'truffle', quantity: 3 }], amount: 900 }, // out of stock: compensated
  { orderId: 'o-3', customerId: 'c-2', lines: [{ sku: 'apple', quantity: 1 }], amount: 100 }, // credit released after stock was reserved: compensated
  { orderId: 'o-4', customerId: 'c-2', lines: [{ sku: 'bread', quantity: 1 }], amount: 50 }, // still running
];

/** o-1 completed; o-2 and o-3 compensated; o-4 running with credit reserved. */
function consistent(): BusinessSnapshot {
  return {
    sagas: [
      { orderId: 'o-1', status: 'COMPLETED' },
      { orderId: 'o-2', status: 'COMPENSATED' },
      { orderId: 'o-3', status: 'COMPENSATED' },
      { orderId: 'o-4', status: 'RUNNING' },
    ],
    orders: [
      { orderId: 'o-1', status: 'CONFIRMED', amount: 500 },
      { orderId: 'o-2', status: 'CANCELLED', amount: 900 },
      { orderId: 'o-3', status: 'CANCELLED', amount: 100 },
      { orderId: 'o-4', status: 'PENDING', amount: 50 },
    ],
    accounts: [
      { customerId: 'c-1', initialCredit: 10_000, available: 9_500 },
      { customerId: 'c-2', initialCredit: 1_000, available: 950 },
    ],
    creditReservations: [
      { orderId: 'o-1', customerId: 'c-1', amount: 500, status: 'CAPTURED' },
      { orderId: 'o-2', customerId: 'c-1', amount: 900, status: 'RELEASED' },
      { orderId: 'o-4', customerId: 'c-2', amount: 50, status: 'RESERVED' },
    ],
    stock: [
      { sku: 'apple', initial: 100, available: 98 },
      { sku: 'bread', initial: 100, available: 99 },
      { sku: 'truffle', initial: 2, available: 2 },
    ],
    stockReservations: [
      { orderId: 'o-1', sku: 'apple', quantity: 2, status: 'COMMITTED' },
      { orderId: 'o-1', sku: 'bread', quantity: 1, status: 'COMMITTED' },
      { orderId: 'o-3', sku: 'apple', quantity: 1, status: 'RELEASED' },
    ],
    shipments: [{ orderId: 'o-1' }],
  };
}

function violationsAfter(change: (s: BusinessSnapshot) => void): string[] {
  const s = consistent();
  change(s);
  return checkConsistency(submitted, s).violations;
}

describe('the demo consistency check', () => {
  it('accepts consistent data and counts what it checked', () => {
    expect(checkConsistency(submitted, consistent())).toEqual({
      ok: true,
      violations: [],
      checked: { completed: 1, compensated: 2, notChecked: 1, customers: 2, skus: 3 },
    });
  });

  it.each<[string, (s: BusinessSnapshot) => void, RegExp[]]>([
    [
      'a compensated order whose credit was never released',
      (s) => {
        s.creditReservations[1].status = 'RESERVED';
        s.accounts[0].available -= 900;
      },
      [/o-2: saga compensated but credit is left RESERVED 900/],
    ],
    [
      'a compensated order that was charged',
      (s) => {
        s.creditReservations[1].status = 'CAPTURED';
        s.accounts[0].available -= 900;
      },
      [/o-2: saga compensated but credit is left CAPTURED 900/],
    ],
    [
      'a compensated order whose stock stays reserved',
      (s) => {
        s.stockReservations[2].status = 'RESERVED';
        s.stock[0].available -= 1;
      },
      [/o-3: saga compensated but stock is left apple RESERVED 1/],
    ],
    ['a compensated order that was shipped', (s) => s.shipments.push({ orderId: 'o-3' }), [/o-3: saga compensated but it was shipped 1 times/]],
    ['a compensated order left pending', (s) => (s.orders[1].status = 'PENDING'), [/o-2: saga compensated but the order is PENDING/]],
    [
      'a completed order charged twice',
      (s) => {
        s.creditReservations.push({ orderId: 'o-1', customerId: 'c-1', amount: 500, status: 'CAPTURED' });
        s.accounts[0].available -= 500;
      },
      [/o-1: saga completed but its credit is CAPTURED 500, CAPTURED 500/],
    ],
    ['a completed order charged the wrong amount', (s) => {
      s.creditReservations[0].amount = 400;
      s.accounts[0].available += 100;
    }, [/o-1: saga completed but its credit is CAPTURED 400, expected one CAPTURED 500/]],
    ['a completed order shipped twice', (s) => s.shipments.push({ orderId: 'o-1' }), [/o-1: saga completed but it was shipped 2 times/]],
    ['a completed order never shipped', (s) => (s.shipments = []), [/o-1: saga completed but it was shipped 0 times/]],
    ['a completed order whose stock was not committed', (s) => (s.stockReservations[1].status = 'RESERVED'), [/o-1: saga completed but its bread stock is RESERVED 1/]],
    ['a completed order that is not confirmed', (s) => (s.orders[0].status = 'PENDING'), [/o-1: saga completed but the order is PENDING/]],
    ['credit that vanished', (s) => (s.accounts[1].available -= 10), [/customer c-2: credit not conserved: initial 1000 != available 940 \+ reserved\/captured 50/]],
    ['stock that appeared', (s) => (s.stock[2].available += 1), [/sku truffle: stock not conserved/]],
    ['negative stock', (s) => {
      s.stock[2].available = -1;
      s.stock[2].initial = -1;
    }, [/sku truffle: available stock is negative/]],
    ['business rows of an order no saga ran', (s) => s.shipments.push({ orderId: 'o-99' }), [/shipments has rows for order o-99, which no saga ran/]],
  ])('detects %s', (_what, change, expected) => {
    const violations = violationsAfter(change);
    expect(violations).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(violations[i]).toMatch(pattern));
  });

  it('checks a saga that has not ended only for conservation', () => {
    // o-4 is running: its reservation is legitimately held, but money must still add up.
    expect(violationsAfter((s) => (s.creditReservations[2].status = 'CAPTURED'))).toEqual([]);
    expect(violationsAfter((s) => (s.creditReservations[2].amount = 60))).toEqual([expect.stringMatching(/customer c-2: credit not conserved/)]);
  });
});
