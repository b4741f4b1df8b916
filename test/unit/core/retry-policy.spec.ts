import fc from 'fast-check';
import { backoffDelayMs, baseBackoffMs, hasAttemptsLeft, InvalidArgumentError, type BackoffPolicy } from '../../../src/core';

const policy: BackoffPolicy = { initialBackoffMs: 200, maxBackoffMs: 10_000, multiplier: 2, jitter: 0.2 };

describe('retry policy', () => {
  it('grows exponentially from initialBackoffMs and stops at maxBackoffMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => baseBackoffMs(policy, n))).toEqual([200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000]);
    expect(baseBackoffMs(policy, 5_000)).toBe(10_000); // multiplier^n overflows to Infinity, still capped
  });

  it('subtracts up to jitter of the wait', () => {
    expect(backoffDelayMs(policy, 1, 0)).toBe(200);
    expect(backoffDelayMs(policy, 1, 0.5)).toBe(180);
    expect(backoffDelayMs(policy, 1, 0.999999)).toBe(160);
    expect(backoffDelayMs({ ...policy, jitter: 0 }, 3, 0.7)).toBe(800);
  });

  it('never leaves [base * (1 - jitter), base] and never exceeds maxBackoffMs', () => {
    fc.assert(
      fc.property(
        fc.record({
          initialBackoffMs: fc.integer({ min: 1, max: 60_000 }),
          extra: fc.integer({ min: 0, max: 600_000 }),
          multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
          jitter: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        ({ initialBackoffMs, extra, multiplier, jitter }, attempts, random) => {
          const p: BackoffPolicy = { initialBackoffMs, maxBackoffMs: initialBackoffMs + extra, multiplier, jitter };
          const base = baseBackoffMs(p, attempts);
          const delay = backoffDelayMs(p, attempts, random);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeLessThanOrEqual(p.maxBackoffMs);
          expect(delay).toBeLessThanOrEqual(Math.ceil(base));
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
          expect(base).toBeGreaterThanOrEqual(Math.min(initialBackoffMs, p.maxBackoffMs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is monotonic in the number of failed attempts before jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 1, max: 4, noNaN: true }), (n, multiplier) => {
        const p = { ...policy, multiplier };
        expect(baseBackoffMs(p, n + 1)).toBeGreaterThanOrEqual(baseBackoffMs(p, n));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a random value outside [0, 1) and a failure count below 1', () => {
    expect(() => backoffDelayMs(policy, 1, 1)).toThrow(InvalidArgumentError);
    expect(() => backoffDelayMs(policy, 1, -0.1)).toThrow(InvalidArgumentError);
    expect(() => backoffDelayMs(policy, 1, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => baseBackoffMs(policy, 0)).toThrow(InvalidArgumentError);
  });

  it('gives up only when both the count and the minimum retry window are spent', () => {
    const budget = { maxAttempts: 3, minRetryWindowMs: 60_000 };
    expect(hasAttemptsLeft(budget, 2, 0, 1_000)).toBe(true);
    expect(hasAttemptsLeft(budget, 3, 0, 59_999)).toBe(true);
    expect(hasAttemptsLeft(budget, 3, 0, 60_000)).toBe(false);
    expect(hasAttemptsLeft(budget, 9, 0, 60_001)).toBe(false);
    expect(hasAttemptsLeft({ maxAttempts: 3, minRetryWindowMs: 0 }, 3, 0, 0)).toBe(false);
  });
});
