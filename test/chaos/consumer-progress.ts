/**
 * How far a consumer group has got on a topic, from the broker's point of view: its
 * committed offsets against the topic's end offsets. The coordinator commits a reply's
 * offset only after the database commit that applied it, so "the group has committed
 * past every reply that was waiting when the fault struck" means "replies are applied
 * again" — on every partition, including those the killed replica held.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';

export type Offsets = Map<number, number>;

export class ConsumerProgress {
  private admin?: Admin;

  constructor(private readonly brokers: string) {}

  /** End offsets (next offset to be written) per partition; undefined while the broker does not answer. */
  async endOffsets(topic: string): Promise<Offsets | undefined> {
    return this.attempt(async (admin) => new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)])));
  }

  /** Committed offsets (next offset to be consumed) of `groupId` per partition; a partition never committed counts as 0. */
  async committedOffsets(groupId: string, topic: string): Promise<Offsets | undefined> {
    return this.attempt(async (admin) => {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map((entry?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
    });
  }

  /**
   * Waits until `groupId` has committed at least `target` on every partition; resolves
   * with the time that took from `since` (epoch ms), or null after `timeoutMs`.
   */
  async caughtUp(groupId: string, topic: string, target: Offsets, since: number, timeoutMs: number, signal: AbortSignal): Promise<number | null> {
    while (Date.now() - since < timeoutMs && !signal.aborted) {
      const committed = await this.committedOffsets(groupId, topic);
      if (committed && [...target].every(([p, end]) => (committed.get(p) ?? 0) >= end)) return Date.now() - since;
      await new Promise((r) => setTimeout(r, 250));
    }
    return null;
  }

  /** Whether each group is Stable (its partitions assigned) with at least that many members. */
  async groupsStable(expected: { groupId: string; members: number }[]): Promise<boolean> {
    const described = await this.attempt((admin) => admin.describeGroups(expected.map((e) => e.groupId)));
    if (!described) return false;
    return expected.every((e) => described.groups.some((g) => g.groupId === e.groupId && g.state === 'Stable' && g.members.length >= e.members));
  }

  /** Messages of `topic` that `groupId` has not committed yet, in total and the partitions they are on; undefined while the broker does not answer. */
  async lag(groupId: string, topic: string): Promise<{ messages: number; partitions: number[] } | undefined> {
    const [end, committed] = [await this.endOffsets(topic), await this.committedOffsets(groupId, topic)];
    if (!end || !committed) return undefined;
    const behind = [...end].filter(([p, high]) => high > (committed.get(p) ?? 0));
    return { messages: behind.reduce((n, [p, high]) => n + high - (committed.get(p) ?? 0), 0), partitions: behind.map(([p]) => p).sort((a, b) => a - b) };
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  /** One short try; a failure drops the client, so the next call reconnects (the broker may have restarted). */
  private async attempt<T>(fn: (admin: Admin) => Promise<T>): Promise<T | undefined> {
    try {
      if (!this.admin) {
        // A couple of quick retries: right after connecting, finding a group's coordinator fails once with an empty broker pool.
        const admin = new Kafka({
          clientId: 'chaos-progress',
          brokers: this.brokers.split(','),
          logLevel: logLevel.NOTHING,
          connectionTimeout: 2_000,
          requestTimeout: 3_000,
          retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
        }).admin();
        await admin.connect();
        this.admin = admin;
      }
      return await fn(this.admin);
    } catch {
      await this.close();
      return undefined;
    }
  }
}
