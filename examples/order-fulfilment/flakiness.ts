/**
 * Simulated flakiness, so the example shows what timeouts do. Per command a flaky
 * participant either behaves (`ok`), is `slow` — its downstream call answers after the
 * attempt's deadline, then it applies the step, so the coordinator retries and the
 * barrier answers the retry from what was recorded — or `stalls` — the call never
 * answers in time and it gives up without applying anything, so the coordinator retries
 * or, out of attempts, compensates a step that never happened (a null compensation).
 */
import type { HandlerContext } from '@saga-coordinator/participant';

export type Misbehaviour = 'ok' | 'slow' | 'stall';

export interface FlakyCommand {
  orderId: string;
  step: string;
  attempt: number;
}

export type FlakinessPolicy = (command: FlakyCommand) => Misbehaviour;

export const reliable: FlakinessPolicy = () => 'ok';

/** Misbehaves on a `rate` fraction of commands, half of them slow and half stalled. */
export function randomFlakiness(rate: number, random: () => number = Math.random): FlakinessPolicy {
  return () => {
    const r = random();
    if (r >= rate) return 'ok';
    return r < rate / 2 ? 'slow' : 'stall';
  };
}

/** Waits until just past the attempt's deadline, as a slow downstream would. */
export function sleepPastDeadline(ctx: HandlerContext, marginMs = 300): Promise<void> {
  const ms = Math.max(0, ctx.deadlineAt.getTime() - Date.now()) + marginMs;
  return new Promise((resolve) => setTimeout(resolve, ms));
}
