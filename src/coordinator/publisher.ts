// The fast path of the outbox: right after an engine transaction commits, its outbox
// batch is handed here and published from memory, in commit order, many batches per
// Kafka request. Published batch ids are handed back to the applier, which deletes the
// rows in its next transaction (no round trip of its own). If Kafka cannot be reached
// for longer than the relay's grace period, the in-memory copies are dropped: the rows
// are still in the outbox and the relay (outbox-relay.ts) publishes them from there.
// A crash before the delete re-publishes a batch: at-least-once, consumers dedupe.
import type { KafkaBus, OutboundMessage } from '@saga-coordinator/participant/kafka';
import type { OutboxMessageRow } from '../persistence/engine-writes';

export interface PublisherOptions {
  /** Most messages in one Kafka request. */
  maxMessagesPerSend: number;
  /** Stop holding batches in memory after failing this long; the relay takes over. */
  handoverAfterMs: number;
  /** Most messages waiting to be sent before the engine is asked to wait (roomForMore): commits faster than Kafka takes them must not fill memory. */
  maxBacklogMessages: number;
  onError: (err: Error) => void;
}

interface PendingBatch {
  id: string;
  messages: OutboundMessage[];
  since: number;
}

export class Publisher {
  private readonly queue: PendingBatch[] = [];
  private published: string[] = [];
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private failingSince: number | null = null;
  private backlogMessages = 0;
  private readonly drained: (() => void)[] = [];

  constructor(
    private readonly bus: KafkaBus,
    private readonly options: PublisherOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publishes what is queued (bounded by `timeoutMs`), then stops. What is left goes out through the relay. */
  async stop(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline && this.failingSince === null) await new Promise((r) => setTimeout(r, 10));
    this.running = false;
    this.wake?.();
    await this.loop;
    this.release();
  }

  enqueue(batchId: string, messages: OutboxMessageRow[]): void {
    this.queue.push({ id: batchId, messages, since: Date.now() });
    this.backlogMessages += messages.length;
    this.wake?.();
  }

  /**
   * Resolves once fewer than maxBacklogMessages wait to be sent. Bounded in time by the handover:
   * while Kafka fails for longer than handoverAfterMs the queue is dropped (the relay has the rows).
   */
  async roomForMore(): Promise<void> {
    while (this.running && this.backlogMessages >= this.options.maxBacklogMessages) await new Promise<void>((r) => this.drained.push(r));
  }

  private remove(count: number): void {
    for (const b of this.queue.splice(0, count)) this.backlogMessages -= b.messages.length;
    if (this.backlogMessages < this.options.maxBacklogMessages) this.release();
  }

  private release(): void {
    for (const r of this.drained.splice(0)) r();
  }

  /** Ids of batches published since the last call: the caller deletes their rows. */
  takePublished(): string[] {
    const ids = this.published;
    this.published = [];
    return ids;
  }

  /** Gives back ids whose deletion did not commit. */
  returnPublished(ids: string[]): void {
    if (ids.length > 0) this.published = ids.concat(this.published);
  }

  get hasPublished(): boolean {
    return this.published.length > 0;
  }

  get backlog(): number {
    return this.queue.length;
  }

  private async run(): Promise<void> {
    let delay = 50;
    while (this.running) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const take: PendingBatch[] = [];
      let count = 0;
      while (take.length < this.queue.length && (take.length === 0 || count + this.queue[take.length].messages.length <= this.options.maxMessagesPerSend)) {
        count += this.queue[take.length].messages.length;
        take.push(this.queue[take.length]);
      }
      try {
        await this.bus.publish(take.flatMap((b) => b.messages));
        this.remove(take.length);
        this.published.push(...take.map((b) => b.id));
        this.failingSince = null;
        delay = 50;
      } catch (err) {
        this.options.onError(err as Error);
        this.failingSince ??= Date.now();
        if (Date.now() - this.failingSince >= this.options.handoverAfterMs) this.remove(this.queue.length);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }
}
