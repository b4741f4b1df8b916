// Which timers may fire now (the engine asks before every timer round): only those due
// before the time up to which replies have been applied (reply-progress.ts), and none of
// a participant that is not consuming (participant-health.ts) or whose circuit breaker
// holds it back (core/participant-breaker.ts) — except one probe after the cool-down.
// Breakers are read from the database every half second, so every replica holds back
// the same participants.
import type { Pool } from 'pg';
import { breakerHolds, type Breaker, type BreakerPolicy } from '../core/participant-breaker';
import { listBreakers } from '../persistence/participant-breaker.repository';
import type { ParticipantHealth } from './participant-health';
import type { ReplyProgress } from './reply-progress';

export class TimerGate {
  private breakers = new Map<string, Breaker>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly progress: ReplyProgress,
    private readonly health: ParticipantHealth,
    readonly breakerPolicy: BreakerPolicy,
    private readonly options: { refreshMs: number; waitForReplies: boolean; onError?: (err: Error) => void },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
    void this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<void> {
    try {
      this.breakers = new Map((await listBreakers(this.pool)).map((b) => [b.participant, b]));
    } catch (err) {
      this.options.onError?.(err as Error);
    }
  }

  /** Timers due at or before this instant may fire. */
  horizon(now: number): number {
    return this.options.waitForReplies ? Math.min(now, this.progress.appliedUntil) : now;
  }

  /** Participants whose timers wait, and those that may send one probe now. */
  held(now: number): { heldBack: string[]; probes: string[] } {
    const heldBack = new Set(this.health.notConsuming());
    const probes: string[] = [];
    for (const b of this.breakers.values()) {
      const { holds, probeAllowed } = breakerHolds(b, now, this.breakerPolicy);
      if (!holds || heldBack.has(b.participant)) continue;
      if (probeAllowed) probes.push(b.participant);
      else heldBack.add(b.participant);
    }
    return { heldBack: [...heldBack], probes };
  }

  /** The breaker as last read (undefined: never opened, i.e. closed with no failures). */
  breaker(participant: string): Breaker | undefined {
    return this.breakers.get(participant);
  }

  /** After a transaction changed breakers: use the new values at once, without waiting for the refresh. */
  remember(breakers: Breaker[]): void {
    for (const b of breakers) this.breakers.set(b.participant, b);
  }
}
