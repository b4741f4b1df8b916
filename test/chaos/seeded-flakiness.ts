/**
 * The example's deliberate flakiness, made a pure function of (seed, order, step,
 * attempt) instead of Math.random: the participants misbehave exactly as this says, and
 * the report can then tell a compensation the flakiness caused (every attempt of the
 * failed step misbehaved on purpose) from one the faults caused.
 */
import type { FlakinessPolicy, FlakyCommand, Misbehaviour } from '../../examples/order-fulfilment/flakiness';

/** FNV-1a over the command's coordinates, mapped to [0, 1). */
function unitHash(seed: number, c: FlakyCommand): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of `${c.orderId}|${c.step}|${c.attempt}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
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
