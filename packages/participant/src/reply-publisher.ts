// Publishes replies as soon as they exist, coalescing: while one send is in flight,
// replies that become ready queue up and go out together in the next one. A stalled
// handler therefore delays only its own reply, and a busy participant still sends few,
// large batches. A failed send (Kafka unavailable) is retried with backoff until it
// succeeds or the participant stops; then the waiting batches fail and are consumed
// again by whoever owns their partitions next (the barrier re-sends the same replies).
// Rejected: publishing once per consumed chunk — one slow command then held back every
// other reply of its chunk past its deadline.
import type { KafkaBus, OutboundMessage } from './kafka/kafka-bus';
import { describeError, type ParticipantLogger } from './participant-logger';

interface Pending {
  messages: OutboundMessage[];
  resolve(): void;
  reject(err: Error): void;
}

export class ReplyPublisher {
  private queue: Pending[] = [];
  private flushing = false;
  private stopping = false;

  constructor(
    private readonly bus: KafkaBus,
    private readonly log: ParticipantLogger,
  ) {}

  /** Resolves once these messages are acknowledged by Kafka. */
  send(messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Stops retrying: what is waiting fails, so a stopping consumer is not held by an unreachable broker. */
  stop(): void {
    this.stopping = true;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.publishWithRetry(batch.flatMap((p) => p.messages));
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async publishWithRetry(messages: OutboundMessage[]): Promise<void> {
    let delay = 100;
    for (;;) {
      try {
        await this.bus.publish(messages);
        return;
      } catch (err) {
        if (this.stopping) throw err;
        this.log.warn('publishing replies failed; retrying', describeError(err));
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }
}
