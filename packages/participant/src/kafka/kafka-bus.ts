// Our only door to Kafka. kafkajs stays behind this class so the rest of the code
// speaks in topics, keys and batches, and so the client can be replaced (kafkajs is
// stable but unmaintained since 2024).
//
// Offsets: a subscription commits a message's offset only after its handler has
// returned, i.e. after the database commit that applied it (after-batch), or when its
// caller says it is durable (manual). A crash between the two replays messages, which
// the inbox and the barrier dedupe.
import { Admin, AssignerProtocol, Consumer, Kafka, KafkaConfig, logLevel, LogEntry, Partitioners, Producer, SASLOptions } from 'kafkajs';
import { BatchOffsetCommits } from './batch-offset-commits';
import { earlierRuns, instanceClientId, removeGroupMembers } from './earlier-run-eviction';

export interface OutboundMessage {
  topic: string;
  /** Partition key: the saga id, so one saga's messages stay ordered. */
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** The partition's high watermark when the batch was fetched (the offset after the last message written). */
  highWatermark: string;
  /**
   * False once the subscription is stopping. To abandon the rest of the batch, THROW:
   * returning normally means every message of the batch was handled, and its offsets
   * are then committed.
   */
  isRunning(): boolean;
  heartbeat(): Promise<void>;
}

/**
 * Handles a batch. Returning means all of its messages were handled (their offsets get
 * committed). Must not throw for a bad message (dead-letter it); a throw replays the batch.
 */
export type BatchHandler = (messages: InboundMessage[], ctx: BatchContext) => Promise<void>;

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  handleBatch: BatchHandler;
  /** How many partitions one process handles at once. @default 1 */
  partitionsConsumedConcurrently?: number;
  /** A member that sends no heartbeat this long is dropped from the group (its partitions go to others). @default 30000 */
  sessionTimeoutMs?: number;
  /**
   * `after-batch`: a batch's offsets are committed once its handler returned.
   * `manual`: the handler may return before the batch is applied (pipelining); the
   * caller commits each partition's offset with Subscription.commit once it is durable.
   * @default after-batch
   */
  offsets?: 'after-batch' | 'manual';
  /**
   * `after-batch` only: finished batches' offsets are committed at most this often, in one
   * request for all partitions (0: as soon as a batch finishes, one request at a time).
   * Longer sends fewer requests; a crash redelivers up to this long's messages.
   * @default 0
   */
  commitIntervalMs?: number;
  /**
   * A name this subscriber keeps across its restarts and no other live subscriber of the
   * group uses (a StatefulSet pod's name, a systemd instance). Before it joins, the members an
   * earlier run of the same instance left in the group (a SIGKILL never leaves) are removed,
   * so their partitions move at once instead of after sessionTimeoutMs. Two live subscribers
   * with one instance id each remove the other once as they start (a rebalance, nothing lost).
   */
  instanceId?: string;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The offset of the next message to consume (last applied + 1). */
  offset: string;
}

export interface Subscription {
  /** Manual offsets only: commits these offsets for the group (ignored for partitions this member no longer holds); throws when the group refuses the commit. */
  commit(offsets: PartitionOffset[]): Promise<void>;
  /** Stops fetching new batches; the subscription stays in its group. */
  pause(): void;
  stop(): Promise<void>;
}

/** A consumer group's member and the partitions it holds, as the broker reports them. */
export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  assignment: Record<string, number[]>;
}

export interface ConsumerGroupState {
  groupId: string;
  state: string;
  members: GroupMember[];
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** Receives kafkajs's own log lines: the message, and kafkajs's fields (broker, clientId, error, groupId, ...). */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
}

export class KafkaUnavailableError extends Error {
  readonly code = 'KAFKA_UNAVAILABLE';
  readonly retriable = true;
  constructor(brokers: string[], cause: unknown) {
    super(`Cannot reach Kafka at KAFKA_BROKERS=${brokers.join(',')}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'KafkaUnavailableError';
  }
}

/**
 * Most bytes of messages in one produce request. kafkajs sends all of a request's messages
 * for one partition as one record batch and never splits it, and the broker refuses a
 * batch over its message.max.bytes (1 MiB by default) with MESSAGE_TOO_LARGE, on every
 * retry: one oversized request would stop everything published after it.
 */
export const MAX_REQUEST_BYTES = 900 * 1024;
/** Per-record overhead of Kafka's record format, counted generously. */
const RECORD_OVERHEAD_BYTES = 100;

function messageBytes(m: OutboundMessage): number {
  let n = Buffer.byteLength(m.key) + Buffer.byteLength(m.value) + RECORD_OVERHEAD_BYTES;
  for (const [k, v] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/** Consecutive runs of `messages`, in order, each at most maxBytes (a larger message goes alone). */
export function splitBySize(messages: OutboundMessage[], maxBytes = MAX_REQUEST_BYTES): OutboundMessage[][] {
  const parts: OutboundMessage[][] = [];
  let part: OutboundMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = messageBytes(m);
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(m);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/**
 * kafkajs lines about what it handles itself: an error response to one request (a
 * partition whose leader moved, a group rebalancing), which it retries or hands to the
 * caller, and a member re-joining its group. Logged at debug: at error level they
 * buried the lines that matter after every topic creation and rebalance.
 */
function routine(namespace: string, message: string): boolean {
  return (namespace === 'Connection' && message.startsWith('Response ')) || (namespace === 'Runner' && message.startsWith('The group is rebalancing, re-joining'));
}

export class KafkaBus {
  private readonly kafka: Kafka;
  private readonly config: KafkaConfig;
  private admin?: Admin;
  private producer?: Producer;
  private readonly consumers = new Set<Consumer>();

  constructor(private readonly options: KafkaBusOptions) {
    const config: KafkaConfig = {
      clientId: options.clientId,
      brokers: options.brokers,
      ssl: options.ssl,
      sasl: options.sasl as SASLOptions | undefined,
      connectionTimeout: 5_000,
      requestTimeout: 30_000,
      retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        // timestamp and logger repeat what every log line has already.
        const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry.log;
        // Deliberate: retries are bounded so a dead broker surfaces as an error the relay retries later.
        // A re-sent batch may then be duplicated in Kafka; consumers dedupe by message id (inbox, barrier).
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : entry.level === logLevel.INFO ? 'info' : 'debug';
        options.log?.(routine(entry.namespace, message) ? 'debug' : level, `kafkajs ${entry.namespace}: ${message}`, extra);
      },
    };
    this.config = config;
    this.kafka = new Kafka(config);
  }

  get brokers(): string[] {
    return this.options.brokers;
  }

  /** Connects the admin client and the idempotent producer; fails with an error naming KAFKA_BROKERS. */
  async connect(): Promise<void> {
    try {
      this.admin = this.kafka.admin({ retry: { retries: 2 } });
      await this.admin.connect();
      await this.admin.describeCluster();
      // Idempotent: the broker dedupes a retried batch, so a network retry never doubles a message.
      this.producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.producer.connect();
    } catch (err) {
      await this.disconnect().catch(() => undefined);
      throw new KafkaUnavailableError(this.options.brokers, err);
    }
  }

  /** Creates missing topics; existing ones are left as they are. Safe to call from several replicas at once. */
  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const admin = this.requireAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor: s.replicationFactor })),
      });
    } catch (err) {
      // Another replica created it between our list and create.
      if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS' && !/already exists/i.test(String((err as Error).message))) throw err;
    }
  }

  /**
   * Publishes in order. Large sets go out in several requests (see splitBySize): a failure
   * part-way leaves the earlier requests published, so a retry may duplicate them, which
   * at-least-once delivery allows (consumers dedupe by message id).
   */
  async publish(messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = this.requireProducer();
    for (const part of splitBySize(messages)) {
      const byTopic = new Map<string, OutboundMessage[]>();
      for (const m of part) {
        const list = byTopic.get(m.topic) ?? [];
        list.push(m);
        byTopic.set(m.topic, list);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic.entries()].map(([topic, list]) => ({
          topic,
          messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        })),
      });
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    const heartbeatInterval = Math.max(300, Math.min(1_000, Math.floor(sessionTimeout / 3)));
    const manual = options.offsets === 'manual';
    let kafka = this.kafka;
    if (options.instanceId) {
      const memberClientId = instanceClientId(this.options.clientId, options.instanceId);
      kafka = new Kafka({ ...this.config, clientId: memberClientId });
      await this.removeEarlierRuns(kafka, options.groupId, options.instanceId, memberClientId);
    }
    const consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      // A member learns that its group rebalances from a heartbeat's answer, and the rebalance waits
      // for every member: at least three heartbeats per session (as Kafka's own clients), and at least
      // one a second so a rebalance is joined within a second. kafkajs heartbeats only between fetches,
      // so a fetch on idle partitions waits no longer than that either (kafkajs's default is 5 s).
      heartbeatInterval,
      maxWaitTimeInMs: heartbeatInterval,
      rebalanceTimeout: Math.max(sessionTimeout, 10_000),
      allowAutoTopicCreation: false,
      // A broker outage longer than the retries must not end consumption: kafkajs restarts the consumer.
      retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 5_000, restartOnFailure: async () => true },
    });
    this.consumers.add(consumer);
    // The partitions this member holds now: a commit is sent for these only (the new owner of a partition commits its own).
    let assigned: Record<string, number[]> = {};
    const commitHeld = async (offsets: PartitionOffset[]) => {
      const held = offsets.filter((o) => assigned[o.topic]?.includes(o.partition));
      if (held.length > 0) await consumer.commitOffsets(held);
    };
    const afterBatch = manual ? undefined : new BatchOffsetCommits(options.commitIntervalMs ?? 0, commitHeld);
    let handling = 0;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      assigned = e.payload.memberAssignment;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      // Offsets are committed by BatchOffsetCommits (after-batch) or the caller (manual), never by kafkajs
      // (it would send a request per batch). Resolving at return moves the fetch position on; a throw
      // resolves nothing, so the batch is fetched again.
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const messages: InboundMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ? m.key.toString('utf8') : null,
          value: m.value,
          headers: decodeHeaders(m.headers),
          timestamp: m.timestamp,
        }));
        handling++;
        try {
          await options.handleBatch(messages, { topic: batch.topic, partition: batch.partition, highWatermark: batch.highWatermark, isRunning, heartbeat });
        } finally {
          handling--;
        }
        afterBatch?.finishedBatch(batch.topic, batch.partition, batch.messages[batch.messages.length - 1].offset);
      },
    });
    const pause = () => consumer.pause(options.topics.map((topic) => ({ topic })));
    return {
      commit: async (offsets) => {
        // A partition another member holds now is its to commit: it starts from the last committed
        // offset and the consumer's dedupe (inbox, barrier) absorbs what is read twice.
        // Refused during a rebalance: thrown, so that the caller commits these again (else a
        // partition that then receives nothing more would keep its last offsets uncommitted).
        if (manual) await commitHeld(offsets);
      },
      pause,
      stop: async () => {
        if (afterBatch) {
          // Finish the running batches and commit them while still in the group; disconnect() then
          // stops fetching and leaves. A batch the fetch hands over after this is consumed again.
          pause();
          while (handling > 0) await new Promise((r) => setTimeout(r, 5));
          await afterBatch.flush();
        }
        await consumer.disconnect();
        this.consumers.delete(consumer);
      },
    };
  }

  /** See SubscribeOptions.instanceId. A failure is logged and changes nothing else: the group then waits for the session timeout. */
  private async removeEarlierRuns(kafka: Kafka, groupId: string, instanceId: string, memberClientId: string): Promise<void> {
    try {
      const [group] = await this.describeGroups([groupId]);
      const stale = earlierRuns(group?.members ?? [], memberClientId);
      if (stale.length === 0) return;
      const { removed, unsupported } = await removeGroupMembers(kafka, groupId, stale);
      if (unsupported) this.options.log?.('warn', `cannot remove the group members an earlier run of instance ${instanceId} left (this kafkajs has no cluster factory): the group waits for their session timeout`, { groupId });
      else this.options.log?.('info', `removed ${removed} member(s) an earlier run of instance ${instanceId} left in group ${groupId}, so its partitions move now`, { groupId, instanceId, memberIds: stale });
    } catch (err) {
      this.options.log?.('warn', `could not remove the group members an earlier run of instance ${instanceId} left: ${(err as Error).message}; the group waits for their session timeout`, { groupId });
    }
  }

  /** The high watermark (offset after the last message) of every partition of `topic`. */
  async topicHighWatermarks(topic: string): Promise<Map<number, bigint>> {
    const offsets = await this.requireAdmin().fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  /** The group's committed offset per partition of `topic` (-1 where it never committed). */
  async groupOffsets(groupId: string, topic: string): Promise<Map<number, bigint>> {
    const [result] = await this.requireAdmin().fetchOffsets({ groupId, topics: [topic] });
    return new Map((result?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  }

  /** Names of the topics that start with `prefix`. */
  async topicsWithPrefix(prefix: string): Promise<string[]> {
    return (await this.requireAdmin().listTopics()).filter((t) => t.startsWith(prefix));
  }

  /** Every consumer group the cluster knows. */
  async listGroupIds(): Promise<string[]> {
    const { groups } = await this.requireAdmin().listGroups();
    return groups.filter((g) => g.protocolType === 'consumer').map((g) => g.groupId);
  }

  /** Members of the groups and the partitions each holds. */
  async describeGroups(groupIds: string[]): Promise<ConsumerGroupState[]> {
    if (groupIds.length === 0) return [];
    const { groups } = await this.requireAdmin().describeGroups(groupIds);
    return groups.map((g) => ({
      groupId: g.groupId,
      state: g.state,
      members: g.members.map((m) => {
        // A member of another client library may encode its assignment so that this decoder fails: then it is taken
        // to hold every topic it subscribes to (or, if that cannot be read either, every topic), never none.
        let assignment: Record<string, number[]> | undefined;
        try {
          assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment;
        } catch {
          assignment = undefined;
        }
        if (assignment === undefined) {
          let topics: string[] = ['*'];
          try {
            topics = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? ['*'];
          } catch {
            // keep '*'
          }
          assignment = Object.fromEntries(topics.map((t) => [t, [-1]]));
        }
        return { memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment };
      }),
    }));
  }

  get isConnected(): boolean {
    return this.producer !== undefined && this.admin !== undefined;
  }

  /** Cheap liveness probe for readiness checks. */
  async ping(timeoutMs: number): Promise<void> {
    const admin = this.requireAdmin();
    await withTimeout(admin.describeCluster(), timeoutMs, `Kafka did not answer within ${timeoutMs} ms`);
  }

  async disconnect(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect().catch(() => undefined)));
    this.consumers.clear();
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.producer = undefined;
    this.admin = undefined;
  }

  private requireAdmin(): Admin {
    if (!this.admin) throw new Error('KafkaBus is not connected');
    return this.admin;
  }

  private requireProducer(): Producer {
    if (!this.producer) throw new Error('KafkaBus is not connected');
    return this.producer;
  }
}

function decodeHeaders(headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const one = Array.isArray(v) ? v[v.length - 1] : v;
    out[k] = Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
  }
  return out;
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
