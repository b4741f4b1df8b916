import { loadConfig } from '../../../src/config/app-config';
import { configProblems as problemsOf } from '../../support/config-problems';

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

  it.each([
    ['DATABASE_URL', 'mysql://root@localhost/db', /postgres:\/\//],
    ['DATABASE_URL', 'not a url', /postgres:\/\//],
    ['KAFKA_BROKERS', 'localhost', /host:port/],
    ['KAFKA_BROKERS', 'a:9092,,b:9092', /host:port/],
    ['KAFKA_PARTITIONS', 'six', /integer/],
    ['KAFKA_PARTITIONS', '0', /not be less than 1/],
    ['KAFKA_REPLICATION_FACTOR', '1.5', /integer/],
    ['HTTP_PORT', '70000', /not be greater than 65535/],
    ['LOG_LEVEL', 'verbose', /one of the following values/],
    ['LOG_FORMAT', 'xml', /one of the following values/],
    ['MIGRATE_ON_START', 'maybe', /boolean/],
    ['KAFKA_TOPIC_PREFIX', 'has space', /letters, digits/],
    ['KAFKA_CONSUMER_GROUP', 'bad/group', /letters, digits/],
    ['DATABASE_POOL_SIZE', '-3', /not be less than 1/],
    ['KAFKA_SASL_MECHANISM', 'kerberos', /one of the following values/],
    ['API_AUTH_FAILURES_PER_MINUTE', '0', /not be less than 1/],
    ['API_AUTH_FAILURES_PER_MINUTE', 'lots', /integer/],
  ])('rejects %s=%s with a message naming the variable', (variable, value, message) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].variable).toBe(variable);
    expect(problems[0].message).toMatch(message);
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
