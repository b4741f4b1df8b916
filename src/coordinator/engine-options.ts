// The engine's settings, compiled once from the validated configuration into one
// fully-defaulted object (cf. temporal's worker options): the loops read these and
// nothing else. Each comes from an environment variable listed in the README.
import type { AppConfig } from '../config/app-config';
import type { BreakerPolicy } from '../core/participant-breaker';
import { topicNames, type LifecycleEventType, type TopicNames } from '@saga-coordinator/participant/protocol';

export interface EngineOptions {
  topics: TopicNames;
  groupId: string;
  partitions: number;
  /** @see AppConfig.KAFKA_SESSION_TIMEOUT_MS */
  sessionTimeoutMs: number;
  /** @see AppConfig.KAFKA_GROUP_INSTANCE_ID */
  instanceId?: string;
  /** @see AppConfig.ENGINE_BATCH_SIZE */
  maxBatchEvents: number;
  /** @see AppConfig.LIFECYCLE_EVENTS */
  lifecycleEvents: ReadonlySet<LifecycleEventType>;
  /** @see AppConfig.ENGINE_MAX_QUEUED */
  maxQueuedEvents: number;
  /** @see AppConfig.TIMER_POLL_INTERVAL_MS */
  timerPollIntervalMs: number;
  /** @see AppConfig.TIMER_BATCH_SIZE */
  timerBatchSize: number;
  /** @see AppConfig.OUTBOX_RELAY_GRACE_MS */
  relayGraceMs: number;
  /** @see AppConfig.OUTBOX_RELAY_POLL_INTERVAL_MS */
  relayPollIntervalMs: number;
  /** Outbox batches the relay publishes per round. @default 20 */
  relayBatchesPerRound: number;
  /** Most messages in one Kafka produce request of the fast path. @default 1000 */
  maxMessagesPerSend: number;
  /** Committed messages waiting for Kafka before the engine waits too (Publisher.roomForMore). @default 10000 */
  maxPublishBacklog: number;
  /** @see AppConfig.INBOX_RETENTION_SECONDS */
  inboxRetentionSeconds: number;
  /** @see AppConfig.REPLY_PROGRESS_INTERVAL_MS */
  replyProgressIntervalMs: number;
  /** @see AppConfig.API_ENGINE_WAIT_MS */
  apiWaitMs: number;
  /** How long a message from Kafka may wait for the database before its batch is given back at shutdown. @default 5000 */
  stopGraceMs: number;
  /** How often the consumer groups of the participants are read (who consumes, how far behind). @default 2000 */
  participantHealthIntervalMs: number;
  /** @see AppConfig.BREAKER_FAILURE_THRESHOLD, AppConfig.BREAKER_COOL_DOWN_MS */
  breakerPolicy: BreakerPolicy;
}

export const ENGINE_OPTIONS = Symbol('ENGINE_OPTIONS');

export function compileEngineOptions(config: AppConfig): EngineOptions {
  return {
    topics: topicNames(config.KAFKA_TOPIC_PREFIX),
    groupId: config.consumerGroup,
    partitions: config.KAFKA_PARTITIONS,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    instanceId: config.KAFKA_GROUP_INSTANCE_ID,
    maxBatchEvents: config.ENGINE_BATCH_SIZE,
    lifecycleEvents: new Set(config.lifecycleEventTypes),
    maxQueuedEvents: config.ENGINE_MAX_QUEUED,
    timerPollIntervalMs: config.TIMER_POLL_INTERVAL_MS,
    timerBatchSize: config.TIMER_BATCH_SIZE,
    relayGraceMs: config.OUTBOX_RELAY_GRACE_MS,
    relayPollIntervalMs: config.OUTBOX_RELAY_POLL_INTERVAL_MS,
    relayBatchesPerRound: 20,
    maxMessagesPerSend: 1_000,
    maxPublishBacklog: 10_000,
    inboxRetentionSeconds: config.INBOX_RETENTION_SECONDS,
    replyProgressIntervalMs: config.REPLY_PROGRESS_INTERVAL_MS,
    apiWaitMs: config.API_ENGINE_WAIT_MS,
    stopGraceMs: 5_000,
    participantHealthIntervalMs: 2_000,
    breakerPolicy: { failureThreshold: config.BREAKER_FAILURE_THRESHOLD, coolDownMs: config.BREAKER_COOL_DOWN_MS },
  };
}
