// The coordinator's configuration: every setting comes from an environment variable,
// is validated once at boot, and is read everywhere else from this typed object.
import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { ConfiguredApiKey, parseApiKeyList } from './api-key-list';
import { rawSetting } from './config-source';
import { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT } from './http-address';
import { parseLifecycleEventSelection } from './lifecycle-event-selection';
import type { LifecycleEventType } from '@saga-coordinator/participant/protocol';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};

/**
 * One sentence per variable, whichever of its rules a value breaks: every rule of a
 * variable carries the same message (class-validator would report each rule apart,
 * e.g. "must be an integer number; must not be less than 0; ..." for HTTP_PORT=abc).
 */
function applyAll(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}

function WholeNumber(min: number, max: number): PropertyDecorator {
  const message = `must be a whole number from ${min} to ${max}`;
  return applyAll(Transform(toInt), IsInt({ message }), Min(min, { message }), Max(max, { message }));
}

function Flag(): PropertyDecorator {
  return applyAll(Transform(toBool), IsBoolean({ message: 'must be true or false, 1 or 0, yes or no' }));
}

function OneOf(values: readonly string[]): PropertyDecorator {
  return IsIn(values as string[], { message: `must be one of ${values.join(', ')}` });
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Environment variables, named exactly as users set them. */
export class AppConfig {
  /** PostgreSQL connection string. @default postgres://postgres@127.0.0.1:5432/saga_coordinator */
  @Matches(/^postgres(ql)?:\/\/([^\s@/]+@)?[^\s@/:]+(:\d{1,5})?(\/[^\s]*)?$/, { message: 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:pass@host:5432/db' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/saga_coordinator';

  /** Size of the coordinator's connection pool. @default 10 */
  @WholeNumber(1, 1000)
  DATABASE_POOL_SIZE = 10;

  /** Require TLS to PostgreSQL (certificate verified against the system CAs). @default false */
  @Flag()
  DATABASE_SSL = false;

  /** Apply pending migrations at start. @default true */
  @Flag()
  MIGRATE_ON_START = true;

  /** Comma-separated host:port list of Kafka bootstrap brokers. @default 127.0.0.1:9092 */
  @Matches(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, { message: 'must be a comma-separated list of host:port, e.g. broker1:9092,broker2:9092' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  /** Kafka client id. @default saga-coordinator */
  @IsString() @Matches(/^[a-zA-Z0-9._-]{1,100}$/, { message: 'must be 1-100 characters of letters, digits, ".", "_" or "-"' })
  KAFKA_CLIENT_ID = 'saga-coordinator';

  /** Prefix of every topic name, so several deployments can share a cluster. @default saga */
  @Matches(/^[a-zA-Z0-9._-]{1,100}$/, { message: 'must be 1-100 characters of letters, digits, ".", "_" or "-"' })
  KAFKA_TOPIC_PREFIX = 'saga';

  /** Partitions of the topics the coordinator creates; the ceiling of parallel consumers. @default 6 */
  @WholeNumber(1, 10000)
  KAFKA_PARTITIONS = 6;

  /** Replication factor of the topics the coordinator creates. @default 1 */
  @WholeNumber(1, 10)
  KAFKA_REPLICATION_FACTOR = 1;

  /** Consumer group shared by every coordinator replica. @default `${KAFKA_TOPIC_PREFIX}-coordinator` */
  @IsOptional() @Matches(/^[a-zA-Z0-9._-]{1,200}$/, { message: 'must be 1-200 characters of letters, digits, ".", "_" or "-"' })
  KAFKA_CONSUMER_GROUP?: string;

  /** Use TLS to the brokers. @default false */
  @Flag()
  KAFKA_SSL = false;

  /** SASL mechanism, when the brokers require authentication. */
  @IsOptional() @OneOf(['plain', 'scram-sha-256', 'scram-sha-512'])
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';

  @IsOptional() @IsString()
  KAFKA_SASL_USERNAME?: string;

  @IsOptional() @IsString()
  KAFKA_SASL_PASSWORD?: string;

  /** HTTP port of the REST API and health endpoints. @default 3000 */
  @WholeNumber(0, 65535)
  HTTP_PORT = DEFAULT_HTTP_PORT;

  /** Interface the HTTP server binds. @default 0.0.0.0 */
  @IsString() @Matches(/^\S+$/, { message: 'must be a host name or IP address' })
  HTTP_HOST = DEFAULT_HTTP_HOST;

  /** @default info */
  @OneOf(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** json for machines, pretty for people. @default pretty in a terminal, json otherwise */
  @IsOptional() @OneOf(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** `keys`: every /v1 request needs an API key. `disabled`: no authentication, allowed only on a loopback HTTP_HOST. @default keys */
  @OneOf(['keys', 'disabled'])
  API_AUTH: 'keys' | 'disabled' = 'keys';

  /** API keys from the environment: `name:role:key` (or `name:role:sha256:<hex>`), comma-separated. See api-key-list.ts. */
  @IsOptional() @IsString()
  API_KEYS?: string;

  /** Requests with a missing or wrong API key allowed per minute from one client address (and at once); beyond, 429. @default 60 */
  @WholeNumber(1, 1_000_000)
  API_AUTH_FAILURES_PER_MINUTE = 60;

  /** Largest accepted request body, e.g. 512kb, 1mb. @default 1mb */
  @Matches(/^\d{1,6}(b|kb|mb)$/i, { message: 'must be a size such as 512kb or 1mb' })
  API_BODY_LIMIT = '1mb';

  /** `none`: GET /metrics needs no key (scrapers on a private network); `viewer`: it needs an API key of role viewer or above. @default none */
  @OneOf(['none', 'viewer'])
  METRICS_AUTH: 'none' | 'viewer' = 'none';

  /** OTLP/HTTP collector to export traces to (the standard OpenTelemetry variable; its OTEL_* companions apply). Unset: no export. */
  @IsOptional() @Matches(/^https?:\/\/\S+$/, { message: 'must be an http:// or https:// URL, e.g. http://localhost:4318' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Serve the OpenAPI document at /docs and /docs-json. @default true */
  @Flag()
  API_DOCS = true;

  /**
   * A coordinator replica that sends no heartbeat this long leaves the consumer group and
   * its partitions move to the others; a restarted replica also waits this long for its
   * dead predecessor to leave. Shorter fails over faster but evicts a replica whose event
   * loop stalls that long. 6000 is the broker's minimum (group.min.session.timeout.ms).
   * @default 6000
   */
  @WholeNumber(1_000, 300_000)
  KAFKA_SESSION_TIMEOUT_MS = 6_000;

  /**
   * This replica's name, kept across its restarts and unique among the replicas (a
   * StatefulSet pod's name, a systemd instance): a restarted replica then removes the
   * consumer-group member its killed predecessor left, and the partitions move at once
   * instead of after KAFKA_SESSION_TIMEOUT_MS. Unset: the group waits for the timeout.
   * @default unset
   */
  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'must be 1 to 100 letters, digits, dots, dashes or underscores' })
  KAFKA_GROUP_INSTANCE_ID?: string;

  /** Most events one engine transaction applies (group commit). @default 500 */
  @WholeNumber(1, 100_000)
  ENGINE_BATCH_SIZE = 500;

  /** Events waiting for the engine, and messages handed to it and not yet applied, before the consumer takes no more (back-pressure). @default 5000 */
  @WholeNumber(1, 1_000_000)
  ENGINE_MAX_QUEUED = 5_000;

  /** Which lifecycle events are published on the events topic: all, none, or a comma-separated list of types and saga.* / step.* (all are kept in saga history either way). @default all */
  @IsString()
  LIFECYCLE_EVENTS = 'all';

  /** How often a replica looks for due timers it did not write itself (another replica's, or from before a restart). @default 1000 */
  @WholeNumber(10, 600_000)
  TIMER_POLL_INTERVAL_MS = 1_000;

  /** Sagas whose timers one engine transaction fires at most. @default 500 */
  @WholeNumber(1, 100_000)
  TIMER_BATCH_SIZE = 500;

  /** An outbox batch not published from memory within this time is published by the relay. @default 3000 */
  @WholeNumber(100, 3_600_000)
  OUTBOX_RELAY_GRACE_MS = 3_000;

  /** How often the relay looks for such batches. @default 1000 */
  @WholeNumber(10, 600_000)
  OUTBOX_RELAY_POLL_INTERVAL_MS = 1_000;

  /** Reply ids are kept in the inbox this long (far longer than any redelivery of an uncommitted offset). @default 3600 */
  @WholeNumber(60, 31_536_000)
  INBOX_RETENTION_SECONDS = 3_600;

  /** How often the coordinator checks how far the consumer group has read the replies (timeouts wait for it). @default 250 */
  @WholeNumber(10, 60_000)
  REPLY_PROGRESS_INTERVAL_MS = 250;

  /** Timeouts and retry answers in a row (over all sagas) after which a participant's circuit breaker opens. @default 20 */
  @WholeNumber(1, 1_000_000)
  BREAKER_FAILURE_THRESHOLD = 20;

  /** How long an automatically opened breaker holds attempts back before one probe. @default 30000 */
  @WholeNumber(100, 86_400_000)
  BREAKER_COOL_DOWN_MS = 30_000;

  /** How long an API request waits for the engine to apply its change before answering 503. @default 10000 */
  @WholeNumber(100, 600_000)
  API_ENGINE_WAIT_MS = 10_000;

  /** Longest `wait` a request may ask for (POST /v1/sagas?wait=…, GET /v1/sagas/{id}/result?wait=…); longer is a 400. @default 60000 */
  @WholeNumber(0, 3_600_000)
  API_MAX_WAIT_MS = 60_000;

  get consumerGroup(): string {
    return this.KAFKA_CONSUMER_GROUP ?? `${this.KAFKA_TOPIC_PREFIX}-coordinator`;
  }

  /** The parsed LIFECYCLE_EVENTS (loadConfig has validated it). */
  get lifecycleEventTypes(): LifecycleEventType[] {
    const parsed = parseLifecycleEventSelection(this.LIFECYCLE_EVENTS);
    return parsed.ok ? parsed.types : [];
  }

  get kafkaBrokerList(): string[] {
    return this.KAFKA_BROKERS.split(',').map((b) => b.trim());
  }

  /** The parsed API_KEYS (loadConfig has validated them). */
  get apiKeys(): ConfiguredApiKey[] {
    if (!this.API_KEYS) return [];
    const parsed = parseApiKeyList(this.API_KEYS);
    return parsed.ok ? parsed.keys : [];
  }
}

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  readonly retriable = false;
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN = new Set(Object.keys(new AppConfig()).concat(['KAFKA_CONSUMER_GROUP', 'KAFKA_GROUP_INSTANCE_ID', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'LOG_FORMAT', 'API_KEYS', 'OTEL_EXPORTER_OTLP_ENDPOINT']));

/**
 * Builds the configuration from environment variables (and the defaults that
 * `npm run infra:up` recorded, which real variables override). Throws a
 * ConfigError naming every bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>, localDefaults: Record<string, string> = {}): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of KNOWN) {
    const value = rawSetting(key, env, localDefaults);
    if (value !== undefined) raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true });
  const problems = errors.map((e) => ({
    variable: e.property,
    // Every rule of a variable has the same message (see WholeNumber); the first one stands for all.
    message: `${Object.values(e.constraints ?? {})[0] ?? 'is invalid'} (got ${JSON.stringify(redactValue(e.property, raw[e.property]))})`,
  }));
  const saslValid = !errors.some((e) => e.property === 'KAFKA_SASL_MECHANISM');
  if (config.KAFKA_SASL_MECHANISM && saslValid && (!config.KAFKA_SASL_USERNAME || !config.KAFKA_SASL_PASSWORD)) {
    problems.push({ variable: 'KAFKA_SASL_USERNAME', message: 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set' });
  }
  problems.push(...apiAuthProblems(config, errors.some((e) => e.property === 'API_KEYS')));
  const events = parseLifecycleEventSelection(config.LIFECYCLE_EVENTS);
  if (!events.ok) problems.push(...events.problems.map((message) => ({ variable: 'LIFECYCLE_EVENTS', message })));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

function apiAuthProblems(config: AppConfig, keysInvalid: boolean): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (config.API_KEYS && !keysInvalid) {
    const parsed = parseApiKeyList(config.API_KEYS);
    if (!parsed.ok) problems.push(...parsed.problems.map((message) => ({ variable: 'API_KEYS', message })));
  }
  // An API without authentication must never be reachable from another machine by accident.
  if (config.API_AUTH === 'disabled' && !LOOPBACK_HOSTS.includes(config.HTTP_HOST)) {
    problems.push({ variable: 'API_AUTH', message: `API_AUTH=disabled is only allowed with a loopback HTTP_HOST (127.0.0.1, localhost or ::1), got HTTP_HOST=${config.HTTP_HOST}` });
  }
  if (config.API_AUTH === 'disabled' && config.API_KEYS) {
    problems.push({ variable: 'API_AUTH', message: 'API_AUTH=disabled contradicts API_KEYS: unset one of them' });
  }
  return problems;
}

function redactValue(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return value;
  if (variable.includes('PASSWORD') || variable === 'API_KEYS') return '***';
  if (variable === 'DATABASE_URL') return redactDatabaseUrl(value);
  return value;
}

/** A connection string fit for messages and logs: the password replaced by ***. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
