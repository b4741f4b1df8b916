// How far the coordinator has read the replies: the time up to which every reply
// produced has been applied (its offset committed after the database commit). Attempt
// timeouts and backoffs only fire for due times before it, so an attempt never times
// out, and no budget is burnt, while the coordinator, the broker or PostgreSQL is down or
// the consumer group is rebalancing: the replies are still in Kafka, unread.
//
// A probe at time T notes each partition's high watermark; once the group's committed
// offsets reach those watermarks, everything produced before T has been applied and the
// watermark moves to T. Read through the admin API, so every replica sees the whole
// group's progress, whichever replica holds which partition.
import type { KafkaBus } from '@saga-coordinator/participant/kafka';

interface Probe {
  at: number;
  highWatermarks: Map<number, bigint>;
}

export class ReplyProgress {
  private probes: Probe[] = [];
  private watermark = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private lastAdvance = 0;

  constructor(
    private readonly bus: KafkaBus,
    private readonly options: { groupId: string; repliesTopic: string; intervalMs: number; onAdvance?: () => void; onError?: (err: Error) => void },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Every reply produced before this instant (epoch ms) has been applied; -Infinity until the first probe completes. */
  get appliedUntil(): number {
    return this.watermark;
  }

  /** When the watermark last moved (epoch ms), for readiness: a stale one means replies are not being read. */
  get lastAdvanceAt(): number {
    return this.lastAdvance;
  }

  /** One probe round; exported for tests, normally driven by the interval. */
  async tick(): Promise<void> {
    if (this.ticking || !this.bus.isConnected) return;
    this.ticking = true;
    try {
      const at = Date.now();
      const highWatermarks = await this.bus.topicHighWatermarks(this.options.repliesTopic);
      this.probes.push({ at, highWatermarks });
      const committed = await this.bus.groupOffsets(this.options.groupId, this.options.repliesTopic);
      let newest = -1;
      this.probes.forEach((p, i) => {
        if (caughtUp(p, committed)) newest = i;
      });
      if (newest >= 0) {
        this.watermark = Math.max(this.watermark, this.probes[newest].at);
        this.lastAdvance = Date.now();
        this.probes = this.probes.slice(newest + 1);
        this.options.onAdvance?.();
      }
      // A group far behind: keep the list bounded (every other probe; the newest is the one that matters).
      if (this.probes.length > 200) this.probes = this.probes.filter((_, i) => i % 2 === 1 || i === this.probes.length - 1);
    } catch (err) {
      this.options.onError?.(err as Error);
    } finally {
      this.ticking = false;
    }
  }
}

function caughtUp(probe: Probe, committed: Map<number, bigint>): boolean {
  for (const [partition, high] of probe.highWatermarks) {
    if (high === 0n) continue;
    if ((committed.get(partition) ?? -1n) < high) return false;
  }
  return true;
}
