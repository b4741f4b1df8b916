import { InboundMessage, KafkaBus, KafkaUnavailableError } from '@saga-coordinator/participant/kafka';
import { infraEnv, uniqueName } from '../../support/test-infra';

describe('KafkaBus against a real broker', () => {
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = new KafkaBus({ brokers: infraEnv().KAFKA_BROKERS.split(','), clientId: 'bus-test' });
    await bus.connect();
  });

  afterAll(async () => {
    await bus.disconnect();
  });

  it('publishes keyed messages that a consumer group receives with their headers', async () => {
    const topic = uniqueName('bus-test');
    await bus.ensureTopics([{ topic, partitions: 3, replicationFactor: 1 }]);
    await bus.ensureTopics([{ topic, partitions: 3, replicationFactor: 1 }]); // idempotent

    const received: InboundMessage[] = [];
    let resolveAll: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const sub = await bus.subscribe({
      groupId: uniqueName('bus-group'),
      topics: [topic],
      fromBeginning: true,
      handleBatch: async (messages) => {
        received.push(...messages);
        if (received.length >= 10) resolveAll();
      },
    });
    try {
      const sent = Array.from({ length: 10 }, (_, i) => ({ topic, key: `saga-${i % 2}`, value: JSON.stringify({ n: i }), headers: { 'x-n': String(i) } }));
      await bus.publish(sent);
      await all;
      expect(received.map((m) => JSON.parse(m.value!.toString()).n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // Messages with one key land on one partition, in the order sent.
      for (const key of ['saga-0', 'saga-1']) {
        const mine = received.filter((m) => m.key === key);
        expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
        expect(mine.map((m) => JSON.parse(m.value!.toString()).n)).toEqual(mine.map((m) => Number(m.headers['x-n'])).sort((a, b) => a - b));
      }
    } finally {
      await sub.stop();
    }
  });

  it('resumes a group after the last committed offset, not from the start', async () => {
    const topic = uniqueName('bus-resume');
    const groupId = uniqueName('bus-group');
    await bus.ensureTopics([{ topic, partitions: 1, replicationFactor: 1 }]);
    const consumeUntil = async (count: number) => {
      const got: string[] = [];
      let done: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const sub = await bus.subscribe({
        groupId,
        topics: [topic],
        fromBeginning: true,
        handleBatch: async (messages) => {
          got.push(...messages.map((m) => m.value!.toString()));
          if (got.length >= count) done();
        },
      });
      await finished;
      await sub.stop();
      return got;
    };
    await bus.publish([{ topic, key: 'k', value: 'first' }]);
    expect(await consumeUntil(1)).toEqual(['first']);
    await bus.publish([{ topic, key: 'k', value: 'second' }]);
    expect(await consumeUntil(1)).toEqual(['second']);
  });

  it('with a commit interval, commits an idle partition within it, and commits on stop what the handler finished', async () => {
    const topic = uniqueName('bus-interval');
    const groupId = uniqueName('bus-group');
    await bus.ensureTopics([{ topic, partitions: 2, replicationFactor: 1 }]);
    const waitFor = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 15_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const committedAll = async () => {
      const [high, committed] = await Promise.all([bus.topicHighWatermarks(topic), bus.groupOffsets(groupId, topic)]);
      return [...high].every(([p, h]) => committed.get(p) === h);
    };
    let handled = 0;
    const subscribe = (commitIntervalMs: number) =>
      bus.subscribe({
        groupId,
        topics: [topic],
        fromBeginning: true,
        commitIntervalMs,
        handleBatch: async (messages) => {
          handled += messages.length;
        },
      });
    const first = await subscribe(300);
    await bus.publish(Array.from({ length: 20 }, (_, i) => ({ topic, key: `k${i}`, value: String(i) })));
    await waitFor('the 20 messages handled', async () => handled >= 20);
    // Nothing more arrives: the interval's timer, not a next batch, commits both partitions.
    await waitFor('both partitions committed while idle', committedAll);
    await first.stop();

    // An interval far beyond the test: the first batch is committed at once (nothing was within
    // the interval), the next ones only by stop().
    const second = await subscribe(600_000);
    await bus.publish([{ topic, key: 'k0', value: '20' }]);
    await waitFor('the first new message committed', async () => handled >= 21 && (await committedAll()));
    await bus.publish(Array.from({ length: 10 }, (_, i) => ({ topic, key: `k${i}`, value: String(21 + i) })));
    await waitFor('the 10 next messages handled', async () => handled >= 31);
    await new Promise((r) => setTimeout(r, 300));
    expect(await committedAll()).toBe(false);
    await second.stop();
    expect(await committedAll()).toBe(true);
  });

  it('names KAFKA_BROKERS when the brokers do not answer', async () => {
    const dead = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'bus-test-dead' });
    await expect(dead.connect()).rejects.toThrow(KafkaUnavailableError);
    await expect(dead.connect()).rejects.toThrow(/KAFKA_BROKERS=127\.0\.0\.1:1/);
  });
});
