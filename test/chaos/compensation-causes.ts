/**
 * Compensations counted by cause: every saga that began to compensate, whether it ended
 * COMPENSATED or escalated to FAILED on the way. Only two causes are legitimate in a
 * chaos run:
 *   business     the failing step answered a business failure of the example
 *                (INSUFFICIENT_CREDIT, OUT_OF_STOCK)
 *   flakiness    every attempt of the failing step misbehaved on purpose (the seeded
 *                flakiness says so for each attempt)
 * Everything else is a fault turned into a failure:
 *   retries exhausted  the failing step ran out of attempts (timeouts, `retry` answers)
 *                      and not every attempt was deliberately flaky
 *   other              any other cause (a cancel, a deadline, an unexpected business code)
 * Whether the failing step failed on business grounds comes from the event that turned
 * the saga to compensating (see coordinator-checks.ts), not from an error code.
 */
import type { FlakinessPolicy } from '../../examples/order-fulfilment/flakiness';
import type { SagaCompensation } from './coordinator-checks';

export const BUSINESS_FAILURES: readonly string[] = ['INSUFFICIENT_CREDIT', 'OUT_OF_STOCK'];

export interface CompensationCauses {
  total: number;
  /** Of those, how many escalated to FAILED while compensating (a compensation ran out of attempts). */
  escalated: number;
  /** By business code. */
  business: Record<string, number>;
  flakiness: number;
  /** By "step: last error code". */
  retriesExhausted: Record<string, number>;
  /** By "cause step code". */
  other: Record<string, number>;
}

export const sumOf = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

export function compensationCauses(sagas: SagaCompensation[], flakiness: FlakinessPolicy, flakySteps: readonly string[]): CompensationCauses {
  const out: CompensationCauses = { total: sagas.length, escalated: sagas.filter((s) => s.status === 'FAILED').length, business: {}, flakiness: 0, retriesExhausted: {}, other: {} };
  const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const s of sagas) {
    if (s.cause !== 'step-failed' || s.step === null) {
      bump(out.other, [s.cause, s.step, s.code].filter(Boolean).join(' '));
    } else if (s.businessFailure) {
      if (s.code !== null && BUSINESS_FAILURES.includes(s.code)) bump(out.business, s.code);
      else bump(out.other, `${s.step} answered ${s.code ?? 'a business failure without a code'}`);
    } else if (flakySteps.includes(s.step) && s.attempts > 0 && everyAttemptFlaky(s, flakiness)) {
      out.flakiness += 1;
    } else {
      bump(out.retriesExhausted, `${s.step}: ${s.code ?? 'no code'}`);
    }
  }
  return out;
}

function everyAttemptFlaky(s: SagaCompensation, flakiness: FlakinessPolicy): boolean {
  for (let attempt = 1; attempt <= s.attempts; attempt++) if (flakiness({ orderId: s.orderId, step: s.step!, attempt }) === 'ok') return false;
  return true;
}
