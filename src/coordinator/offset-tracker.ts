// Which offsets the inbound consumer may commit. Batches of a partition are applied in
// the order they were fetched, but their applying finishes out of order (a batch of
// replies waits for the database, a batch of dead letters does not), so a partition's
// offset moves only past batches that are done and have no unfinished batch before
// them. Pure bookkeeping; the consumer commits what `committable` returns.
import type { PartitionOffset } from '@saga-coordinator/participant/kafka';

interface Pending {
  next: bigint;
  done: boolean;
}

export class OffsetTracker {
  private readonly pending = new Map<string, Pending[]>();
  private readonly ready = new Map<string, PartitionOffset>();

  /** A fetched batch whose last message is `lastOffset`; call the returned function once it is durable. */
  begin(topic: string, partition: number, lastOffset: string): () => void {
    const key = `${topic}\u0000${partition}`;
    const entry: Pending = { next: BigInt(lastOffset) + 1n, done: false };
    const list = this.pending.get(key) ?? [];
    list.push(entry);
    this.pending.set(key, list);
    return () => {
      entry.done = true;
      let advanced: bigint | undefined;
      while (list.length > 0 && list[0].done) advanced = list.shift()!.next;
      if (advanced !== undefined) this.ready.set(key, { topic, partition, offset: advanced.toString() });
    };
  }

  /** Offsets that moved since the last call. */
  committable(): PartitionOffset[] {
    const out = [...this.ready.values()];
    this.ready.clear();
    return out;
  }

  /**
   * Offsets whose commit failed (a rebalance, the broker away) are committable again,
   * unless the partition moved further meanwhile. Without this, the last offsets of a
   * partition that then received nothing more stayed uncommitted for good.
   */
  restore(offsets: PartitionOffset[]): void {
    for (const o of offsets) {
      const key = `${o.topic}\u0000${o.partition}`;
      if (!this.ready.has(key)) this.ready.set(key, o);
    }
  }

  /** Batches not yet durable, over all partitions. */
  get unfinished(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }

  /** Forgets everything (after the partitions were revoked: a new owner reads from the committed offset). */
  reset(): void {
    this.pending.clear();
    this.ready.clear();
  }
}
