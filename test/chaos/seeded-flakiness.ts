/**
 * The example's deliberate flakiness, made a pure function of (seed, order, step,
 * attempt) instead of Math.random: the participants misbehave exactly as this says, and
 * the report can then tell a compensation the flakiness caused (every attempt of the
 * failed step misbehaved on purpose) from one the faults caused.
 */
import type { FlakinessPolicy, FlakyCommand, Misbehaviour } from '../../examples/order-fulfilment/flakiness';

/**
 * FNV-1a over the command's coordinates, then murmur3's finaliser, mapped to [0, 1).
 * (Rejected: FNV-1a alone. Commands differing only in their last character — attempt 1,
 * 2, 3 — then land within 1/256 of each other, so a misbehaving first attempt made the
 * retries misbehave too.)
 */
function unitHash(seed: number, c: FlakyCommand): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of `${c.orderId}|${c.step}|${c.attempt}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}

/** Misbehaves on a `rate` fraction of commands, half of them slow and half stalled (as examples/order-fulfilment/flakiness.ts). */
export function seededFlakiness(rate: number, seed: number): FlakinessPolicy {
  return (command): Misbehaviour => {
    const r = unitHash(seed, command);
    if (r >= rate) return 'ok';
    return r < rate / 2 ? 'slow' : 'stall';
  };
}

/** The participants the example lets be flaky. */
export const FLAKY_PARTICIPANTS: readonly string[] = ['inventory', 'shipping'];
