import { AppConfig, loadConfig } from '../../../src/config/app-config';
import { configProblems as problemsOf } from '../../support/config-problems';

// A malformed value for every variable that can be malformed, and what the user is told.
const BAD_VALUES: [string, string, RegExp][] = [
  ['DATABASE_URL', 'mysql://root@localhost/db', /postgres:\/\//],
  ['DATABASE_URL', 'not a url', /postgres:\/\//],
  ['DATABASE_POOL_SIZE', '-3', /^must be a whole number from 1 to 1000/],
  ['DATABASE_SSL', 'sometimes', /^must be true or false/],
  ['MIGRATE_ON_START', 'maybe', /^must be true or false/],
  ['KAFKA_BROKERS', 'localhost', /host:port/],
  ['KAFKA_BROKERS', 'a:9092,,b:9092', /host:port/],
  ['KAFKA_CLIENT_ID', 'has space', /letters, digits/],
  ['KAFKA_TOPIC_PREFIX', 'has space', /letters, digits/],
  ['KAFKA_PARTITIONS', 'six', /^must be a whole number from 1 to 10000/],
  ['KAFKA_PARTITIONS', '0', /^must be a whole number from 1 to 10000/],
  ['KAFKA_REPLICATION_FACTOR', '1.5', /^must be a whole number from 1 to 10/],
  ['KAFKA_CONSUMER_GROUP', 'bad/group', /letters, digits/],
  ['KAFKA_SSL', 'tls', /^must be true or false/],
  ['KAFKA_SASL_MECHANISM', 'kerberos', /^must be one of plain, scram-sha-256, scram-sha-512/],
  ['HTTP_PORT', 'abc', /^must be a whole number from 0 to 65535 \(got "abc"\)$/],
  ['HTTP_PORT', '70000', /^must be a whole number from 0 to 65535/],
  ['HTTP_PORT', '-1', /^must be a whole number from 0 to 65535/],
  ['HTTP_HOST', 'two words', /host name or IP address/],
  ['LOG_LEVEL', 'verbose', /^must be one of fatal, error, warn, info, debug, trace, silent/],
  ['LOG_FORMAT', 'xml', /^must be one of json, pretty/],
  ['API_AUTH', 'none', /^must be one of keys, disabled/],
  ['API_BODY_LIMIT', 'lots', /512kb or 1mb/],
  ['API_DOCS', 'on', /^must be true or false/],
  ['KAFKA_SESSION_TIMEOUT_MS', '500', /^must be a whole number from 1000 to 300000/],
  ['KAFKA_GROUP_INSTANCE_ID', 'pod 1', /letters, digits, dots, dashes or underscores/],
  ['ENGINE_BATCH_SIZE', '0', /^must be a whole number from 1 to 100000/],
  ['ENGINE_MAX_QUEUED', 'many', /^must be a whole number from 1 to 1000000/],
  ['TIMER_POLL_INTERVAL_MS', '5', /^must be a whole number from 10 to 600000/],
  ['TIMER_BATCH_SIZE', '-1', /^must be a whole number from 1 to 100000/],
  ['OUTBOX_RELAY_GRACE_MS', '1.5', /^must be a whole number from 100 to 3600000/],
  ['OUTBOX_RELAY_POLL_INTERVAL_MS', '1s', /^must be a whole number from 10 to 600000/],
  ['INBOX_RETENTION_SECONDS', '30', /^must be a whole number from 60 to 31536000/],
  ['REPLY_PROGRESS_INTERVAL_MS', '0', /^must be a whole number from 10 to 60000/],
  ['BREAKER_FAILURE_THRESHOLD', '0', /^must be a whole number from 1 to 1000000/],
  ['BREAKER_COOL_DOWN_MS', '10', /^must be a whole number from 100 to 86400000/],
  ['API_ENGINE_WAIT_MS', 'soon', /^must be a whole number from 100 to 600000/],
  ['API_MAX_WAIT_MS', '-5', /^must be a whole number from 0 to 3600000/],
  ['API_AUTH_FAILURES_PER_MINUTE', '0', /^must be a whole number from 1 to 1000000/],
  ['API_AUTH_FAILURES_PER_MINUTE', 'lots', /^must be a whole number from 1 to 1000000/],
  ['METRICS_AUTH', 'keys', /^must be one of none, viewer/],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /^must be an http:\/\/ or https:\/\/ URL/],
  ['LIFECYCLE_EVENTS', 'saga.completed,saga.done', /^'saga.done' is not a lifecycle event type: use all, none, saga\.\*, step\.\*, or types among saga.started/],
  ['LIFECYCLE_EVENTS', 'none,saga.completed', /^'all' and 'none' stand alone/],
];

describe('loadConfig', () => {
  it('gives a new user working local defaults without any variable', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/saga_coordinator');
    expect(config.kafkaBrokerList).toEqual(['127.0.0.1:9092']);
    expect(config.KAFKA_PARTITIONS).toBe(6);
    expect(config.HTTP_PORT).toBe(3000);
    expect(config.consumerGroup).toBe('saga-coordinator');
  });

  it('lets real environment variables win over the recorded local infrastructure', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:1' }, { KAFKA_BROKERS: 'b:2', DATABASE_URL: 'postgres://x@h:55432/d' });
    expect(config.KAFKA_BROKERS).toBe('a:1');
    expect(config.DATABASE_URL).toBe('postgres://x@h:55432/d');
  });

  it('parses numbers and booleans', () => {
    const config = loadConfig({ KAFKA_PARTITIONS: '12', MIGRATE_ON_START: 'false', HTTP_PORT: '8080', KAFKA_BROKERS: 'k1:9092, k2:9093' });
    expect(config.KAFKA_PARTITIONS).toBe(12);
    expect(config.MIGRATE_ON_START).toBe(false);
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.kafkaBrokerList).toEqual(['k1:9092', 'k2:9093']);
    expect(loadConfig({}).API_AUTH_FAILURES_PER_MINUTE).toBe(60);
    expect(loadConfig({ API_AUTH_FAILURES_PER_MINUTE: '600' }).API_AUTH_FAILURES_PER_MINUTE).toBe(600);
  });

  it.each(BAD_VALUES)('rejects %s=%s with one sentence naming the variable', (variable, value, message) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].variable).toBe(variable);
    expect(problems[0].message).toMatch(message);
    // One sentence, not a list of the rules it broke.
    expect(problems[0].message).not.toContain(';');
    expect(problems[0].message).not.toContain(variable);
  });

  it('has a malformed-value case above for every variable with a format', () => {
    // Free text: the SASL credentials; API_KEYS has its own tests (api-config.spec).
    const formatted = Object.keys(new AppConfig()).filter((v) => !['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'API_KEYS'].includes(v));
    expect(new Set(BAD_VALUES.map(([variable]) => variable))).toEqual(new Set(formatted));
  });

  it('lists every bad variable at once, and the message names each', () => {
    try {
      loadConfig({ DATABASE_URL: 'nope', KAFKA_BROKERS: 'nope', HTTP_PORT: 'x' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('KAFKA_BROKERS');
      expect(message).toContain('HTTP_PORT');
    }
  });

  it('never echoes a password in its message', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://u:secret@', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' });
    expect(JSON.stringify(problems)).not.toContain('secret');
    expect(problems.map((p) => p.variable)).toEqual(expect.arrayContaining(['DATABASE_URL', 'KAFKA_SASL_USERNAME']));
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ KAFKA_PARTITIONS: '' }).KAFKA_PARTITIONS).toBe(6);
  });
});
