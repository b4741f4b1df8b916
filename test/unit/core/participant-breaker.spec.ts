import fc from 'fast-check';
import { breakerHolds, closedBreaker, nextBreaker, type Breaker, type BreakerSignal, breakerAnswer } from '../../../src/core/participant-breaker';
import { ATTEMPT_STATUSES } from '../../../src/core/saga-status';

const policy = { failureThreshold: 3, coolDownMs: 1_000 };
const answers = (failures: number, successes: number, at = 0): BreakerSignal => ({ type: 'answers', failures, successes, at });

describe('participant circuit breaker', () => {
  it('opens after the threshold of failures in a row, holds back, and lets one probe through after the cool-down', () => {
    let b = closedBreaker('payments', 0);
    b = nextBreaker(b, answers(2, 0), policy);
    expect(b).toMatchObject({ state: 'closed', failures: 2 });
    b = nextBreaker(b, answers(1, 0, 10), policy);
    expect(b).toMatchObject({ state: 'open', since: 10, changedBy: 'auto' });
    expect(breakerHolds(b, 500, policy)).toEqual({ holds: true, probeAllowed: false });
    expect(breakerHolds(b, 1_010, policy)).toEqual({ holds: true, probeAllowed: true });
    b = nextBreaker(b, { type: 'probe-sent', at: 1_010 }, policy);
    expect(b.state).toBe('half-open');
    expect(breakerHolds(b, 1_500, policy)).toEqual({ holds: true, probeAllowed: false });
  });

  it('closes when the probe is answered, opens again when it fails', () => {
    const halfOpen: Breaker = { participant: 'p', state: 'half-open', since: 0, reason: null, changedBy: 'auto', failures: 5 };
    expect(nextBreaker(halfOpen, answers(0, 1, 5), policy)).toMatchObject({ state: 'closed', failures: 0 });
    expect(nextBreaker(halfOpen, answers(1, 0, 5), policy)).toMatchObject({ state: 'open', since: 5 });
  });

  it('an answer that is not a failure resets the count', () => {
    const b = nextBreaker(nextBreaker(closedBreaker('p', 0), answers(2, 0), policy), answers(0, 1), policy);
    expect(b.failures).toBe(0);
    expect(nextBreaker(b, answers(2, 0), policy).state).toBe('closed');
  });

  it('a breaker opened by an operator stays open until an operator closes it', () => {
    let b = nextBreaker(closedBreaker('p', 0), { type: 'opened-by-operator', by: 'api-key:ann', reason: 'maintenance', at: 0 }, policy);
    expect(breakerHolds(b, 1_000_000, policy)).toEqual({ holds: true, probeAllowed: false });
    expect(nextBreaker(b, answers(0, 3), policy).state).toBe('open');
    b = nextBreaker(b, { type: 'closed-by-operator', by: 'api-key:ann', reason: 'done', at: 5 }, policy);
    expect(b).toMatchObject({ state: 'closed', failures: 0, changedBy: 'api-key:ann' });
  });

  it('never opens without failures, and a closed breaker never holds back (property)', () => {
    const signal = fc.oneof(
      fc.record({ type: fc.constant('answers' as const), failures: fc.nat(5), successes: fc.nat(5), at: fc.nat(10_000) }),
      fc.record({ type: fc.constant('probe-sent' as const), at: fc.nat(10_000) }),
    );
    fc.assert(
      fc.property(fc.array(signal, { maxLength: 40 }), (signals) => {
        let b = closedBreaker('p', 0);
        let failuresSeen = 0;
        for (const s of signals) {
          b = nextBreaker(b, s, policy);
          if (s.type === 'answers') failuresSeen += s.failures;
          if (b.state === 'closed') expect(breakerHolds(b, 99_999, policy).holds).toBe(false);
        }
        if (failuresSeen === 0) expect(b.state).toBe('closed');
      }),
    );
  });
});

describe('breakerAnswer', () => {
  it('counts timeouts and retry answers as failures, any decisive answer as proof of life, and nothing else', () => {
    expect(ATTEMPT_STATUSES.map((s) => [s, breakerAnswer(s)])).toEqual([
      ['SENT', null],
      ['SUCCEEDED', 'success'],
      ['FAILED', 'success'],
      ['RETRY_REQUESTED', 'failure'],
      ['TIMED_OUT', 'failure'],
      ['ABANDONED', null],
    ]);
  });
});
