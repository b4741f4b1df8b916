import { compensationCauses } from '../compensation-causes';
import type { SagaCompensation } from '../coordinator-checks';
import { seededFlakiness } from '../seeded-flakiness';
import type { FlakinessPolicy } from '../../../examples/order-fulfilment/flakiness';

const saga = (s: Partial<SagaCompensation>): SagaCompensation => ({ orderId: 'o-1', status: 'COMPENSATED', cause: 'step-failed', step: 'reserveStock', code: 'OUT_OF_STOCK', businessFailure: true, attempts: 1, ...s });
const never: FlakinessPolicy = () => 'ok';
const always: FlakinessPolicy = () => 'stall';

describe('compensations by cause', () => {
  it("counts the example's business failures by code", () => {
    const c = compensationCauses([saga({}), saga({ step: 'reserveCredit', code: 'INSUFFICIENT_CREDIT' }), saga({})], never, ['reserveStock']);
    expect(c).toEqual({ total: 3, escalated: 0, business: { OUT_OF_STOCK: 2, INSUFFICIENT_CREDIT: 1 }, flakiness: 0, retriesExhausted: {}, other: {} });
  });

  it('counts a step that ran out of attempts as retries exhausted, whatever its last code', () => {
    const c = compensationCauses(
      [saga({ code: 'ATTEMPT_TIMED_OUT', businessFailure: false, attempts: 3 }), saga({ step: 'createOrder', code: 'DEADLINE_PASSED', businessFailure: false, attempts: 3 }), saga({ step: 'createOrder', code: null, businessFailure: false })],
      never,
      ['reserveStock'],
    );
    expect(c.retriesExhausted).toEqual({ 'reserveStock: ATTEMPT_TIMED_OUT': 1, 'createOrder: DEADLINE_PASSED': 1, 'createOrder: no code': 1 });
    expect(c.flakiness).toBe(0);
  });

  it('counts it as deliberate flakiness only when every attempt of a flaky step misbehaved on purpose', () => {
    const timedOut = saga({ code: 'ATTEMPT_TIMED_OUT', businessFailure: false, attempts: 3 });
    expect(compensationCauses([timedOut], always, ['reserveStock']).flakiness).toBe(1);
    expect(compensationCauses([timedOut], always, ['reserveCredit']).retriesExhausted).toEqual({ 'reserveStock: ATTEMPT_TIMED_OUT': 1 });
    const secondAttemptOk: FlakinessPolicy = ({ attempt }) => (attempt === 2 ? 'ok' : 'slow');
    expect(compensationCauses([timedOut], secondAttemptOk, ['reserveStock']).retriesExhausted).toEqual({ 'reserveStock: ATTEMPT_TIMED_OUT': 1 });
  });

  it('counts a saga that began to compensate and escalated to FAILED by its cause too', () => {
    const c = compensationCauses([saga({ status: 'FAILED', step: 'createOrder', code: 'ATTEMPT_TIMED_OUT', businessFailure: false, attempts: 3 }), saga({ status: 'FAILED' })], never, []);
    expect(c).toMatchObject({ total: 2, escalated: 2, business: { OUT_OF_STOCK: 1 }, retriesExhausted: { 'createOrder: ATTEMPT_TIMED_OUT': 1 } });
  });

  it('puts any other cause apart: a cancel, a deadline, an unexpected business code', () => {
    const c = compensationCauses(
      [saga({ cause: 'cancel-requested', step: null, code: null }), saga({ cause: 'deadline-reached', step: null, code: null }), saga({ step: 'createOrder', code: 'DUPLICATE_ORDER' })],
      never,
      [],
    );
    expect(c.other).toEqual({ 'cancel-requested': 1, 'deadline-reached': 1, 'createOrder answered DUPLICATE_ORDER': 1 });
  });

  it('uses the same seeded flakiness the participants use', () => {
    const policy = seededFlakiness(0.5, 42);
    const commands = Array.from({ length: 2000 }, (_, i) => ({ orderId: `o-${i}`, step: 'reserveStock', attempt: 1 }));
    const outcomes = commands.map(policy);
    expect(commands.map(seededFlakiness(0.5, 42))).toEqual(outcomes);
    const bad = outcomes.filter((o) => o !== 'ok').length / outcomes.length;
    expect(bad).toBeGreaterThan(0.45);
    expect(bad).toBeLessThan(0.55);
    expect(outcomes.filter((o) => o === 'slow').length).toBeGreaterThan(400);
    expect(commands.map(seededFlakiness(0, 42)).every((o) => o === 'ok')).toBe(true);
  });

  it('makes the attempts of one command misbehave independently (a retry is not doomed by its first attempt)', () => {
    const policy = seededFlakiness(0.2, 7);
    const orders = Array.from({ length: 5000 }, (_, i) => `o-${i}`);
    const firstBad = orders.filter((orderId) => policy({ orderId, step: 'reserveStock', attempt: 1 }) !== 'ok');
    const secondAlsoBad = firstBad.filter((orderId) => policy({ orderId, step: 'reserveStock', attempt: 2 }) !== 'ok');
    expect(secondAlsoBad.length / firstBad.length).toBeGreaterThan(0.15);
    expect(secondAlsoBad.length / firstBad.length).toBeLessThan(0.25);
  });
});
