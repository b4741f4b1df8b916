// A participant's options, documented with their defaults and compiled once into a
// fully-defaulted object (cf. temporal's worker-options.ts), so the rest of the SDK
// never asks "was this set?".
import type { Pool } from 'pg';
import { IDENTIFIER_PATTERN } from './protocol/identifiers';
import type { KafkaBus, KafkaBusOptions } from './kafka/kafka-bus';
import { InvalidParticipantOptionsError } from './participant-errors';
import { jsonLineLogger, type ParticipantLogger, type ParticipantLogLevel } from './participant-logger';

/** Either how to reach Kafka (the participant owns its client), or a connected KafkaBus to share (the caller owns it). */
export type ParticipantKafka = (Pick<KafkaBusOptions, 'brokers' | 'ssl' | 'sasl'> & { /** @default "participant-<name>" */ clientId?: string }) | { bus: KafkaBus };

/** A pg Pool (the caller owns and ends it), or a connection string (the participant creates and ends its pool). */
export type ParticipantDatabase = Pool | { url: string; poolSize?: number; ssl?: boolean };

export interface ParticipantOptions {
  /** The participant's name in saga definitions (a step's `participant`); commands are read from `<topicPrefix>.commands.<name>`. */
  name: string;
  kafka: ParticipantKafka;
  /** The coordinator's KAFKA_TOPIC_PREFIX. @default "saga" */
  topicPrefix?: string;
  /**
   * The participant's own PostgreSQL. With it, every handler runs in a transaction
   * together with its barrier row (duplicates, null compensations and hanging
   * actions are handled). Without it, the participant is stateless: each delivery
   * runs the handler again, so its effect must be idempotent by nature.
   * @default none
   */
  database?: ParticipantDatabase;
  /** Apply the SDK's barrier migration at start(). @default true */
  migrate?: boolean;
  /** Kafka consumer group, shared by the replicas of this participant. @default "<topicPrefix>.participant.<name>" */
  groupId?: string;
  /** Partitions of the command topic handled at once by one process. @default 6 */
  partitionsConsumedConcurrently?: number;
  /** Transactions at once within one partition's batch, each holding whole sagas (one saga's commands always run in order). @default 4 */
  sagasPerPartition?: number;
  /** Commands per database transaction (a savepoint each, one commit for all). Larger saves commits; smaller lets one slow handler hold back fewer replies. @default 32 */
  commandsPerTransaction?: number;
  /** Partitions of the command topic if this participant is the one that creates it (the coordinator otherwise does, with KAFKA_PARTITIONS). @default 6 */
  topicPartitions?: number;
  /** Replication factor of the topics this participant creates, if it is the one that creates them. @default 1 */
  topicReplicationFactor?: number;
  /** Answer an execute whose deadline has already passed with `retry` (DEADLINE_PASSED) instead of running it. @default true */
  skipExpiredExecutes?: boolean;
  /** Kafka consumer session timeout: how soon a crashed replica's partitions move to another one (the broker's minimum is 6000). @default 10000 */
  sessionTimeoutMs?: number;
  /** A logger, or the level of the default JSON-lines logger on stderr. @default "info" */
  logger?: ParticipantLogger | ParticipantLogLevel;
}

export interface CompiledParticipantOptions {
  name: string;
  kafka: ParticipantKafka;
  topicPrefix: string;
  database: ParticipantDatabase | null;
  migrate: boolean;
  groupId: string;
  partitionsConsumedConcurrently: number;
  sagasPerPartition: number;
  commandsPerTransaction: number;
  topicPartitions: number;
  topicReplicationFactor: number;
  skipExpiredExecutes: boolean;
  sessionTimeoutMs: number;
  logger: ParticipantLogger;
}

const TOPIC_PART = /^[a-zA-Z0-9._-]{1,100}$/;

export function compileParticipantOptions(options: ParticipantOptions): CompiledParticipantOptions {
  const problems: string[] = [];
  if (typeof options.name !== 'string' || !IDENTIFIER_PATTERN.test(options.name)) problems.push(`name must match ${IDENTIFIER_PATTERN}, got ${JSON.stringify(options.name)}`);
  const topicPrefix = options.topicPrefix ?? 'saga';
  if (!TOPIC_PART.test(topicPrefix)) problems.push(`topicPrefix must be 1-100 letters, digits, ".", "_" or "-", got ${JSON.stringify(topicPrefix)}`);
  if (!options.kafka || (!('bus' in options.kafka) && (!Array.isArray(options.kafka.brokers) || options.kafka.brokers.length === 0))) {
    problems.push('kafka must give a non-empty brokers list or a connected bus');
  }
  const positive = (field: keyof ParticipantOptions, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 1) problems.push(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
    return v;
  };
  const compiled: CompiledParticipantOptions = {
    name: options.name,
    kafka: options.kafka,
    topicPrefix,
    database: options.database ?? null,
    migrate: options.migrate ?? true,
    groupId: options.groupId ?? `${topicPrefix}.participant.${options.name}`,
    partitionsConsumedConcurrently: positive('partitionsConsumedConcurrently', options.partitionsConsumedConcurrently, 6),
    sagasPerPartition: positive('sagasPerPartition', options.sagasPerPartition, 4),
    commandsPerTransaction: positive('commandsPerTransaction', options.commandsPerTransaction, 32),
    topicPartitions: positive('topicPartitions', options.topicPartitions, 6),
    topicReplicationFactor: positive('topicReplicationFactor', options.topicReplicationFactor, 1),
    skipExpiredExecutes: options.skipExpiredExecutes ?? true,
    sessionTimeoutMs: positive('sessionTimeoutMs', options.sessionTimeoutMs, 10_000),
    logger: typeof options.logger === 'object' ? options.logger : jsonLineLogger(options.name, options.logger ?? 'info'),
  };
  if (problems.length > 0) throw new InvalidParticipantOptionsError(problems);
  return compiled;
}
