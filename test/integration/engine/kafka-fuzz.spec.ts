// Fuzzes a real coordinator process (as users run it, on real PostgreSQL and Kafka) with
// malformed messages on its start and reply topics, while 50 real sagas run through SDK
// participants on the same topics. The named probes of issue 8 (each of which once
// stopped every partition) come first, then seeded garbage and mutations of valid
// messages (test/support/fuzz/kafka-messages.ts). What must hold: every bad message
// dead-lettered with a reason (an envelope that fits the limit and matches its schema);
// all 50 real sagas finish with their business outcome; the consumer group catches up on
// every partition (0 blocked); the coordinator never exits.
//
// KAFKA_FUZZ_COUNT (default 200) and KAFKA_FUZZ_SEED replay or scale a run:
//   KAFKA_FUZZ_COUNT=10000 KAFKA_FUZZ_SEED=42 flock /tmp/heavy.lock npx jest test/integration/engine/kafka-fuzz.spec.ts
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { Participant, success } from '@saga-coordinator/participant';
import { KafkaBus, MAX_DEAD_LETTER_BYTES, type DeadLetterEnvelope, type InboundMessage, type Subscription } from '@saga-coordinator/participant/kafka';
import { parseProtocolMessage, topicNames } from '@saga-coordinator/participant/protocol';
import deadLetterSchema from '../../../packages/participant/src/protocol/schemas/dead-letter.schema.json';
import { randomPort, startCoordinatorProcess, waitForReady, type CoordinatorProcess } from '../../support/coordinator-process';
import { FuzzMessage, KafkaFuzzTarget, PROBES, randomMessage } from '../../support/fuzz/kafka-messages';
import { marker } from '../../support/fuzz/hostile-json';
import { fuzzCount, fuzzSeed, SeededRandom } from '../../support/fuzz/seeded-random';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, infraEnv, testPool, uniqueName, type TestDatabase } from '../../support/test-infra';
import { LEDGER_TABLE_SQL, ledgerParticipant } from '../participant/support/ledger-participant';

const COUNT = Math.max(fuzzCount('KAFKA_FUZZ_COUNT', 200), PROBES.length);
const SEED = fuzzSeed('KAFKA_FUZZ_SEED');
const REAL_SAGAS = 50;
const PARTITIONS = 6;
const validateDeadLetter = addFormats(new Ajv({ allErrors: true, strict: false })).compile(deadLetterSchema);

describe(`Kafka fuzz: ${COUNT} malformed messages beside ${REAL_SAGAS} real sagas (seed ${SEED})`, () => {
  const prefix = uniqueName('kfz');
  const topics = topicNames(prefix);
  const brokers = infraEnv().KAFKA_BROKERS.split(',');
  const definition = uniqueName('fuzz-order').replace(/_/g, '-');
  let coordinatorDb: TestDatabase;
  let participantDb: TestDatabase;
  let pool: Pool;
  let coordinator: CoordinatorProcess;
  let port: number;
  const participants: Participant[] = [];
  const bus = new KafkaBus({ brokers, clientId: 'kafka-fuzz' });
  // kafkajs directly for publishing: the fuzz sends raw bytes and null values, which KafkaBus (text) does not.
  const kafka = new Kafka({ brokers, clientId: 'kafka-fuzz-raw', logLevel: logLevel.NOTHING });
  let producer: Producer;
  let deadLetterWatch: Subscription;
  const deadLetters = new Map<string, InboundMessage>();

  beforeAll(async () => {
    coordinatorDb = await createTestDatabase('kafka_fuzz');
    participantDb = await createTestDatabase('kafka_fuzz_part');
    pool = testPool(coordinatorDb.url, 2);
    port = randomPort();
    coordinator = startCoordinatorProcess({
      DATABASE_URL: coordinatorDb.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: String(PARTITIONS),
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      API_AUTH: 'disabled',
      LOG_LEVEL: 'warn',
    });
    expect(await waitForReady(port, 90_000)).toBe(200);
    const registered = await fetch(`http://127.0.0.1:${port}/v1/definitions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: definition,
        inputSchema: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
        steps: [
          { name: 'reserve', participant: 'payments', command: 'credit.reserve', compensation: 'credit.release', retry: { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 500 } },
          { name: 'ship', participant: 'shipping', command: 'shipment.create', retry: { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 500 } },
        ],
      }),
    });
    expect(registered.status).toBe(201);
    const participantPool = testPool(participantDb.url, 1);
    await participantPool.query(LEDGER_TABLE_SQL);
    await participantPool.end();
    const common = { kafka: { brokers }, topicPrefix: prefix, database: { url: participantDb.url }, topicPartitions: PARTITIONS, logger: 'silent' as const };
    participants.push(ledgerParticipant(common));
    participants.push(new Participant({ ...common, name: 'shipping' }).handle<unknown, { tracking: string }>({ command: 'shipment.create', execute: async (_input, ctx) => success({ tracking: `t-${ctx.sagaId.slice(0, 8)}` }) }));
    for (const p of participants) await p.start();
    await bus.connect();
    producer = kafka.producer();
    await producer.connect();
    deadLetterWatch = await bus.subscribe({
      groupId: uniqueName('kfz-dead-letters'),
      topics: [topics.deadLetter],
      fromBeginning: true,
      partitionsConsumedConcurrently: 2,
      handleBatch: async (messages) => {
        for (const m of messages) if (m.key !== null) deadLetters.set(m.key, m);
      },
    });
  }, 180_000);

  afterAll(async () => {
    await deadLetterWatch?.stop();
    await producer?.disconnect();
    await bus.disconnect();
    for (const p of participants) await p.stop().catch(() => undefined);
    coordinator?.child.kill('SIGTERM');
    await coordinator?.exited;
    await pool?.end();
    await coordinatorDb?.drop();
    await participantDb?.drop();
  }, 60_000);

  it(
    'dead-letters every bad message with a reason, blocks no partition, and finishes every real saga',
    async () => {
      const rng = new SeededRandom(SEED);
      const realStart = (n: number): FuzzMessage => ({
        kind: 'real saga',
        topic: 'start',
        key: `real-${n}`,
        // Every fifth order is over the credit limit: the saga compensates (the business outcome).
        value: Buffer.from(JSON.stringify({ protocolVersion: 1, idempotencyKey: `real-${n}`, definition, input: { account: `a-${n}`, amount: n % 5 === 0 ? 150 : 10, note: marker(rng) } })),
        expect: 'validator-decides',
      });
      const target: KafkaFuzzTarget = { definition, sagaIds: [], steps: ['reserve', 'ship'] };
      const sent: FuzzMessage[] = [];

      // Wave 1: the start-topic probes and half the garbage, around the first half of the real sagas.
      const probe = (i: number): FuzzMessage => ({ kind: PROBES[i].kind, topic: PROBES[i].topic, key: `probe-${i}-${marker(rng)}`, value: PROBES[i].value(target, rng), expect: PROBES[i].expect });
      const startProbes = PROBES.map((p, i) => [p, i] as const).filter(([p]) => p.topic === 'start').map(([, i]) => probe(i));
      const randomCount = COUNT - PROBES.length;
      const wave1 = shuffle(rng, [...startProbes, ...Array.from({ length: Math.floor(randomCount / 2) }, (_, n) => randomMessage(rng, target, n)), ...Array.from({ length: REAL_SAGAS / 2 }, (_, n) => realStart(n))]);
      await publish(wave1);
      sent.push(...wave1);

      // Wave 2: replies that correlate with real sagas (running or finished), beside the other half of the real sagas.
      target.sagaIds = await waitFor('the first real sagas', async () => {
        const ids = (await pool.query<{ saga_id: string }>("select saga_id from saga_instances where idempotency_key like 'real-%'")).rows.map((r) => r.saga_id);
        return ids.length >= 5 ? ids : undefined;
      }, 120_000);
      const replyProbes = PROBES.map((p, i) => [p, i] as const).filter(([p]) => p.topic === 'replies').map(([, i]) => probe(i));
      const wave2 = shuffle(rng, [...replyProbes, ...Array.from({ length: randomCount - Math.floor(randomCount / 2) }, (_, n) => randomMessage(rng, target, randomCount + n)), ...Array.from({ length: REAL_SAGAS / 2 }, (_, n) => realStart(REAL_SAGAS / 2 + n))]);
      await publish(wave2);
      sent.push(...wave2);

      // Every real saga finishes, with its business outcome.
      const outcomes = await waitFor(
        `all ${REAL_SAGAS} real sagas to finish`,
        async () => {
          const rows = (await pool.query<{ key: string; status: string }>("select idempotency_key as key, status from saga_instances where idempotency_key like 'real-%'")).rows;
          return rows.length === REAL_SAGAS && rows.every((r) => ['COMPLETED', 'COMPENSATED', 'FAILED'].includes(r.status)) ? rows : undefined;
        },
        180_000 + COUNT * 20,
      ).catch(async (err: Error) => {
        const rows = (await pool.query("select status, count(*)::int as n from saga_instances where idempotency_key like 'real-%' group by status")).rows;
        const lagging = (await consumerLag()).filter((p) => p.lag !== 0);
        throw new Error(`${err.message}; real sagas by status: ${JSON.stringify(rows)}; partitions with lag: ${JSON.stringify(lagging)}; coordinator errors: ${coordinatorErrors() || 'none'}`);
      });
      const expected = (key: string) => (Number(key.slice('real-'.length)) % 5 === 0 ? 'COMPENSATED' : 'COMPLETED');
      expect(outcomes.filter((r) => r.status !== expected(r.key))).toEqual([]);

      // The consumer group caught up on every partition of both topics: none is blocked.
      const lag = await waitFor('the coordinator to consume every partition to its end', async () => {
        const l = await consumerLag();
        return l.every((p) => p.lag === 0) ? l : undefined;
      }, 120_000).catch(async () => consumerLag());
      expect(lag.filter((p) => p.lag !== 0)).toEqual([]);
      expect(lag).toHaveLength(2 * PARTITIONS);

      // Every bad message is dead-lettered with a reason, in an envelope that fits and matches its schema.
      const mustDeadLetter = sent.filter((m) => m.expect === 'dead-letter' || (m.expect === 'validator-decides' && !validates(m)));
      await waitFor('every dead letter', async () => (mustDeadLetter.every((m) => deadLetters.has(m.key)) ? true : undefined), 120_000).catch(() => undefined);
      const problems: string[] = [];
      for (const m of mustDeadLetter) {
        const dl = deadLetters.get(m.key);
        if (!dl) {
          problems.push(`${m.kind} (${m.key}): no dead letter`);
          continue;
        }
        const envelope = JSON.parse(dl.value!.toString('utf8')) as DeadLetterEnvelope;
        if (!validateDeadLetter(envelope)) problems.push(`${m.kind}: dead letter does not match its schema`);
        if (typeof envelope.reason !== 'string' || envelope.reason.length === 0) problems.push(`${m.kind}: dead letter without a reason`);
        if (dl.headers['message-type'] !== 'dead-letter' || dl.headers['protocol-version'] !== '1' || !dl.headers['dead-letter-reason'] || dl.headers['source-topic'] !== topicOf(m)) {
          problems.push(`${m.kind}: dead letter headers ${JSON.stringify(Object.keys(dl.headers))}`);
        }
        if (dl.value!.length > MAX_DEAD_LETTER_BYTES) problems.push(`${m.kind}: dead letter of ${dl.value!.length} bytes`);
        const refused = m.value === null ? undefined : parseProtocolMessage(m.topic === 'start' ? 'start-saga' : 'reply', m.value);
        // The coordinator puts its reason code in front of the validator's reason (MALFORMED_REPLY: …); a long one is cut.
        const given = envelope.reason.slice(envelope.reason.indexOf(': ') + 2);
        if (refused && !refused.ok && (given.length === 0 || !refused.reason.startsWith(given))) problems.push(`${m.kind}: reason '${envelope.reason.slice(0, 300)}' instead of '…: ${refused.reason.slice(0, 300)}'`);
      }
      const byKind = new Map<string, number>();
      for (const m of mustDeadLetter) byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
      console.log(
        `Kafka fuzz, seed ${SEED}: ${COUNT} malformed messages (${PROBES.length} named probes) and ${REAL_SAGAS} real sagas\n` +
          `  dead letters expected ${mustDeadLetter.length}, found ${mustDeadLetter.filter((m) => deadLetters.has(m.key)).length}; dead letters in all ${deadLetters.size}\n` +
          `  real sagas: ${outcomes.filter((r) => r.status === 'COMPLETED').length} completed, ${outcomes.filter((r) => r.status === 'COMPENSATED').length} compensated\n` +
          `  partitions with lag: ${lag.filter((p) => p.lag !== 0).length} of ${lag.length}; coordinator exit code: ${coordinator.child.exitCode}\n` +
          `  coordinator warnings and errors: ${coordinatorErrors() || 'none'}`,
      );
      expect(problems.slice(0, 30)).toEqual([]);

      // The coordinator never exited and still answers.
      expect(coordinator.child.exitCode).toBeNull();
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    },
    600_000 + COUNT * 100,
  );

  /** The coordinator's warnings and errors, counted by message: what to look at when something is missing. */
  function coordinatorErrors(): string {
    const counts = new Map<string, number>();
    for (const line of coordinator.output().split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        if ((entry.level ?? 0) >= 40) counts.set(String(entry.msg).slice(0, 160), (counts.get(String(entry.msg).slice(0, 160)) ?? 0) + 1);
      } catch {
        // not a log line
      }
    }
    return [...counts.entries()].map(([msg, n]) => `${n} x ${msg}`).join('; ');
  }

  function topicOf(m: FuzzMessage): string {
    return m.topic === 'start' ? topics.start : topics.replies;
  }

  function validates(m: FuzzMessage): boolean {
    return parseProtocolMessage(m.topic === 'start' ? 'start-saga' : 'reply', m.value).ok;
  }

  /** Publishes in order, in batches that stay well under the broker's request limit (a 1 MB probe goes alone). */
  async function publish(messages: FuzzMessage[]): Promise<void> {
    let batch: FuzzMessage[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length > 0) await producer.sendBatch({ acks: -1, topicMessages: batch.map((m) => ({ topic: topicOf(m), messages: [{ key: m.key, value: m.value }] })) });
      batch = [];
      bytes = 0;
    };
    for (const m of messages) {
      const size = m.value?.length ?? 0;
      if (bytes + size > 256 * 1024) await flush();
      batch.push(m);
      bytes += size;
    }
    await flush();
  }

  async function consumerLag(): Promise<{ topic: string; partition: number; lag: number }[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const out: { topic: string; partition: number; lag: number }[] = [];
      const committed = await admin.fetchOffsets({ groupId: `${prefix}-coordinator`, topics: [topics.start, topics.replies] });
      for (const t of committed) {
        const ends = await admin.fetchTopicOffsets(t.topic);
        for (const p of t.partitions) {
          const end = Number(ends.find((e) => e.partition === p.partition)!.high);
          const at = Number(p.offset) < 0 ? 0 : Number(p.offset);
          out.push({ topic: t.topic, partition: p.partition, lag: end - at });
        }
      }
      return out;
    } finally {
      await admin.disconnect();
    }
  }
});

function shuffle<T>(rng: SeededRandom, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
