// Reads and writes raw messages on real topics, as an operator with a console consumer would.
import { KafkaBus, type InboundMessage, type Subscription } from '@saga-coordinator/participant/kafka';
import { infraEnv, uniqueName } from '../../../support/test-infra';

export class TopicProbe {
  readonly bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'participant-test-probe' });
  readonly received = new Map<string, InboundMessage[]>();
  private subscription?: Subscription;

  async connect(): Promise<void> {
    await this.bus.connect();
  }

  /** Records everything published on these topics from now on (they are created if missing). */
  async watch(topics: string[]): Promise<void> {
    await this.bus.ensureTopics(topics.map((topic) => ({ topic, partitions: 2, replicationFactor: 1 })));
    this.subscription = await this.bus.subscribe({
      groupId: uniqueName('probe'),
      topics,
      fromBeginning: true,
      partitionsConsumedConcurrently: 2,
      handleBatch: async (messages) => {
        for (const m of messages) this.received.set(m.topic, [...(this.received.get(m.topic) ?? []), m]);
      },
    });
  }

  json<T>(topic: string): T[] {
    return (this.received.get(topic) ?? []).map((m) => JSON.parse(m.value!.toString('utf8')) as T);
  }

  async publish(topic: string, key: string, value: string): Promise<void> {
    await this.bus.publish([{ topic, key, value }]);
  }

  async close(): Promise<void> {
    await this.subscription?.stop();
    await this.bus.disconnect();
  }
}
