// What a bench participant process records for the per-hop breakdown: when each
// command record reached the SDK (its consumer handed over the batch) and when the
// handler ran (after the barrier's begin and insert). Kafka's own CreateTime gives the
// rest. Recorded in memory, written once as JSON when the process stops.
import { writeFileSync } from 'node:fs';
import { KafkaBus, type KafkaBusOptions, type SubscribeOptions, type Subscription } from '@saga-coordinator/participant/kafka';

export interface ParticipantTimings {
  /** [topic, partition, offset, epoch ms]: the record was handed to the SDK's batch handler. */
  received: [string, number, string, number][];
  /** [command messageId, epoch ms]: the step handler was entered. */
  handled: [string, number][];
}

export class TimingRecorder {
  readonly timings: ParticipantTimings = { received: [], handled: [] };

  handled(messageId: string): void {
    this.timings.handled.push([messageId, Date.now()]);
  }

  writeTo(path: string): void {
    writeFileSync(path, JSON.stringify(this.timings));
  }
}

/** A KafkaBus whose subscriptions stamp each record's arrival before the SDK sees it. */
export class ArrivalStampingBus extends KafkaBus {
  constructor(
    options: KafkaBusOptions,
    private readonly recorder: TimingRecorder,
  ) {
    super(options);
  }

  override subscribe(options: SubscribeOptions): Promise<Subscription> {
    return super.subscribe({
      ...options,
      handleBatch: (messages, ctx) => {
        const at = Date.now();
        const received = this.recorder.timings.received;
        for (const m of messages) received.push([m.topic, m.partition, m.offset, at]);
        return options.handleBatch(messages, ctx);
      },
    });
  }
}
