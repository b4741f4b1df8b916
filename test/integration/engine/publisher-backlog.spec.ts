// The publisher's bound on committed messages held in memory, against a real broker: the
// engine waits (roomForMore) while more than maxBacklogMessages wait for Kafka, and goes on
// once they are sent.
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { Publisher } from '../../../src/coordinator/publisher';
import { infraEnv, uniqueName } from '../../support/test-infra';

describe('Publisher backlog', () => {
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'publisher-backlog-test' });
    await bus.connect();
  });

  afterAll(async () => {
    await bus.disconnect();
  });

  it('asks the engine to wait while the backlog is over the bound, and lets it go once the messages are in Kafka', async () => {
    const topic = uniqueName('publisher-backlog');
    await bus.ensureTopics([{ topic, partitions: 1, replicationFactor: 1 }]);
    const errors: Error[] = [];
    const publisher = new Publisher(bus, { maxMessagesPerSend: 50, maxBacklogMessages: 100, handoverAfterMs: 60_000, onError: (e) => errors.push(e) });
    publisher.start();
    try {
      // Room while under the bound.
      await expect(Promise.race([publisher.roomForMore().then(() => 'room'), new Promise((r) => setTimeout(() => r('waiting'), 200))])).resolves.toBe('room');

      const message = (n: number) => ({ topic, key: `k${n % 7}`, value: JSON.stringify({ n }), headers: {} });
      for (let b = 0; b < 30; b++) publisher.enqueue(String(b), Array.from({ length: 10 }, (_, i) => message(b * 10 + i)));
      expect(publisher.backlog).toBe(30);
      const room = publisher.roomForMore();
      let resolved = false;
      void room.then(() => (resolved = true));
      await Promise.resolve();
      expect(resolved).toBe(false);

      await room;
      // When the engine may go on, at most the bound is still unsent: the rest is in Kafka.
      const high = Number((await bus.topicHighWatermarks(topic)).get(0));
      expect(high).toBeGreaterThanOrEqual(300 - 100);
      await expect(publisher.roomForMore()).resolves.toBeUndefined();
      expect(publisher.takePublished().length).toBeGreaterThanOrEqual(20);
      expect(errors).toEqual([]);
    } finally {
      await publisher.stop(10_000);
    }
  });

  it('never holds the engine while it is not running (nothing would drain the backlog)', async () => {
    const topic = uniqueName('publisher-backlog-stopped');
    await bus.ensureTopics([{ topic, partitions: 1, replicationFactor: 1 }]);
    const publisher = new Publisher(bus, { maxMessagesPerSend: 10, maxBacklogMessages: 5, handoverAfterMs: 60_000, onError: () => undefined });
    publisher.enqueue('1', Array.from({ length: 10 }, (_, n) => ({ topic, key: 'k', value: String(n), headers: {} })));
    await expect(publisher.roomForMore()).resolves.toBeUndefined();
    publisher.start();
    await publisher.stop(10_000);
    expect(publisher.backlog).toBe(0);
    await expect(publisher.roomForMore()).resolves.toBeUndefined();
  });
});
