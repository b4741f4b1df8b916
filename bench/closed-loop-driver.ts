// The bench's load driver: keeps `concurrency` sagas in flight (closed loop: a new one
// starts when one ends), starting each on the start topic with a business key that
// names its index, and taking its end from the lifecycle events, which carry that key.
// Kept cheap so it is never the bottleneck: starts that become due while a send is in
// flight go out together in the next one, a consumed batch of events launches once, and
// its one events consumer commits no offsets (a run reads its topics once, from the start).
import { Kafka, logLevel } from 'kafkajs';
import type { LifecycleEventMessage, StartSagaMessage } from '@saga-coordinator/participant/protocol';
import type { KafkaBus, OutboundMessage } from '@saga-coordinator/participant/kafka';

const ENDING_EVENTS = new Set(['saga.completed', 'saga.compensated', 'saga.failed']);

export interface SagaEnd {
  /** When the driver received the ending event (epoch ms). */
  at: number;
  type: string;
  sagaId: string;
}

/** The business key (and idempotency key) of input index `i` in run `runId`. */
export const businessKeyOf = (runId: string, i: number) => `${runId}-${i}`;

/** Start requests as records of the start topic, keyed by their idempotency key. */
export function startRecords(topic: string, starts: StartSagaMessage[]): OutboundMessage[] {
  return starts.map((start) => ({ topic, key: start.idempotencyKey, value: JSON.stringify(start) }));
}

export class ClosedLoopDriver {
  /** When each saga's start was handed to the producer (epoch ms), by input index. */
  readonly queuedAt = new Map<number, number>();
  readonly ended = new Map<number, SagaEnd>();
  private readonly keyPrefix: string;
  private inFlight = 0;
  private next = 0;
  private end = 0;
  private concurrency = 1;
  private done?: () => void;
  private failed?: (err: Error) => void;
  private pending: StartSagaMessage[] = [];
  private sending = false;

  constructor(
    private readonly bus: KafkaBus,
    private readonly startTopic: string,
    private readonly definition: string,
    private readonly runId: string,
  ) {
    this.keyPrefix = `${runId}-`;
  }

  /** Runs sagas [from, from + count) and resolves when all of them ended. */
  run(from: number, count: number, concurrency: number): Promise<void> {
    this.next = from;
    this.end = from + count;
    this.concurrency = concurrency;
    return new Promise((resolve, reject) => {
      this.done = resolve;
      this.failed = reject;
      this.launch();
    });
  }

  /** Consumes the lifecycle events topic until the returned function is called. */
  async consumeEvents(brokers: string[], groupId: string, topic: string, partitions: number): Promise<() => Promise<void>> {
    const consumer = new Kafka({ clientId: 'saga-bench-driver-events', brokers, logLevel: logLevel.WARN }).consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: partitions, eachBatch: async ({ batch }) => this.onEvents(batch.messages.map((m) => m.value)) });
    return () => consumer.disconnect();
  }

  private readonly endListeners: ((ended: number) => void)[] = [];

  /** Called after each batch of lifecycle events with the number of sagas ended so far (warm-up included). */
  onEnded(listener: (ended: number) => void): void {
    this.endListeners.push(listener);
  }

  /** Takes the ends out of a batch of lifecycle events, then starts what fits. */
  onEvents(values: (Buffer | null)[]): void {
    const at = Date.now();
    for (const value of values) {
      if (!value) continue;
      const event = JSON.parse(value.toString('utf8')) as LifecycleEventMessage;
      if (!ENDING_EVENTS.has(event.eventType) || !event.businessKey?.startsWith(this.keyPrefix)) continue;
      const i = Number(event.businessKey.slice(this.keyPrefix.length));
      if (this.ended.has(i)) continue; // lifecycle events are at-least-once
      this.ended.set(i, { at, type: event.eventType, sagaId: event.sagaId });
      this.inFlight -= 1;
    }
    for (const listener of this.endListeners) listener(this.ended.size);
    this.launch();
  }

  private launch(): void {
    const now = Date.now();
    while (this.inFlight < this.concurrency && this.next < this.end) {
      const i = this.next++;
      this.inFlight += 1;
      this.queuedAt.set(i, now);
      const key = businessKeyOf(this.runId, i);
      this.pending.push({ protocolVersion: 1, idempotencyKey: key, businessKey: key, definition: this.definition, input: { i } });
    }
    this.flush();
    if (this.inFlight === 0 && this.next >= this.end) this.done?.();
  }

  private flush(): void {
    if (this.sending || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.sending = true;
    this.bus
      .publish(startRecords(this.startTopic, batch))
      .then(
        () => {
          this.sending = false;
          this.flush();
        },
        (err: Error) => this.failed?.(err),
      );
  }
}
