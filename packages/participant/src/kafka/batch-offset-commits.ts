// When an `after-batch` subscription commits the offsets of the batches its handler
// finished: one commit request at a time, at most one per `intervalMs`, each carrying
// every partition's newest finished offset. A commit request per batch was almost half
// of a participant's Kafka requests (and of the broker's work for it) under load; what a
// crash redelivers grows only by what one interval held, and the barrier dedupes it.
// After a rebalance the send commits only the partitions still held (the new owner of the
// others starts from their last commit).
import type { PartitionOffset } from './kafka-bus';

/** A refused commit (a rebalance, the broker away) is tried again after this long if no batch finishes first. */
const RETRY_MS = 1_000;

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class BatchOffsetCommits {
  private readonly finished = new Map<string, PartitionOffset>();
  /** The newest offset handed in per partition: a batch handled again (a consumer restart refetches from the last commit) never moves a commit back. */
  private readonly newest = new Map<string, bigint>();
  private inFlight: Promise<void> = Promise.resolve();
  private committing = false;
  private timer?: NodeJS.Timeout;
  private lastCommitAt = 0;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    /** Sends one commit request; throws when the group refuses it. */
    private readonly send: (offsets: PartitionOffset[]) => Promise<void>,
    private readonly retryMs = RETRY_MS,
  ) {}

  /** The batch ending at `lastOffset` was handled: its partition may be committed past it. */
  finishedBatch(topic: string, partition: number, lastOffset: string): void {
    const key = keyOf(topic, partition);
    const next = BigInt(lastOffset) + 1n;
    if ((this.newest.get(key) ?? -1n) >= next) return;
    this.newest.set(key, next);
    this.finished.set(key, { topic, partition, offset: next.toString() });
    this.schedule(this.untilNextCommit());
  }

  /** Commits what is finished now (once; a refusal is left to redelivery) and stops scheduling. */
  async flush(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    if (this.finished.size === 0) return;
    const offsets = [...this.finished.values()];
    this.finished.clear();
    await this.send(offsets).catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.committing || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.commit();
    }, delayMs);
  }

  private async commit(): Promise<void> {
    if (this.finished.size === 0) return;
    const offsets = [...this.finished.values()];
    this.finished.clear();
    this.committing = true;
    this.lastCommitAt = Date.now();
    try {
      await this.send(offsets);
    } catch {
      // Not logged: a rebalance refuses commits by design. Newer offsets finished meanwhile win.
      for (const o of offsets) {
        const key = keyOf(o.topic, o.partition);
        if (!this.finished.has(key)) this.finished.set(key, o);
      }
      this.committing = false;
      this.schedule(this.retryMs);
      return;
    }
    this.committing = false;
    if (this.finished.size > 0) this.schedule(this.untilNextCommit());
  }

  private untilNextCommit(): number {
    return Math.max(0, this.lastCommitAt + this.intervalMs - Date.now());
  }
}
