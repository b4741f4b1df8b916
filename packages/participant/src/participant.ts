/**
 * A participant service: registers a handler per step type and runs them for the
 * commands the coordinator sends. Glossary: see step-handler.ts (handler, context),
 * step-outcome.ts (success / failure / retry) and barrier-processor.ts (the barrier).
 *
 *     const payments = new Participant({ name: 'payments', kafka: { brokers: ['127.0.0.1:9092'] }, database: { url } });
 *     payments.handle({ command: 'credit.reserve', compensation: 'credit.release', execute, compensate });
 *     await payments.start();   // migrates the barrier table, consumes saga.commands.payments
 *     ...
 *     await payments.stop();    // finishes the running batch, leaves the group, closes what it opened
 */
import { Pool } from 'pg';
import { sdkMetrics, type MetricsRegistry } from './participant-telemetry';
import { KafkaBus } from './kafka/kafka-bus';
import { topicNames } from './protocol/topic-names';
import { BarrierCommandProcessor } from './barrier-processor';
import { CommandConsumer } from './command-consumer';
import { StatelessCommandProcessor, type CommandProcessor } from './command-processor';
import { HandlerRegistry, type AnyStepHandler } from './handler-registry';
import { ParticipantStateError } from './participant-errors';
import { describeError } from './participant-logger';
import { migrateParticipantSchema } from './participant-migrations';
import { isRetriable } from './retriable';
import { compileParticipantOptions, type CompiledParticipantOptions, type ParticipantOptions } from './participant-options';
import type { SomeStepHandler, StepHandler } from './step-handler';

type ParticipantState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Participant {
  readonly options: CompiledParticipantOptions;
  private readonly registry = new HandlerRegistry();
  private state: ParticipantState = 'created';
  private bus?: KafkaBus;
  private ownsBus = false;
  private pool?: Pool;
  private ownsPool = false;
  private consumer?: CommandConsumer;

  constructor(options: ParticipantOptions) {
    this.options = compileParticipantOptions(options);
  }

  get name(): string {
    return this.options.name;
  }

  /**
   * The SDK's Prometheus registry (handler duration, barrier duplicates, null compensations,
   * refused hanging executes, replies sent; labelled by participant, shared by the
   * participants of this process), or undefined when `prom-client` is not installed.
   * Serve `await metrics.metrics()` with `metrics.contentType`, or merge it into yours.
   */
  get metrics(): MetricsRegistry | undefined {
    return sdkMetrics()?.registry;
  }

  /** Registers the handler of one step type (its command and, optionally, its compensation). Before start(). */
  handle<I, O>(handler: StepHandler<I, O>): this;
  handle(handler: SomeStepHandler): this;
  handle(handler: SomeStepHandler): this {
    if (this.state !== 'created') throw new ParticipantStateError(`handlers must be registered before start() (participant '${this.name}' is ${this.state})`);
    this.registry.register(handler as unknown as AnyStepHandler);
    return this;
  }

  /** The pool the barrier uses (also handy for the service's own queries outside handlers). Undefined without a database or before start(). */
  get database(): Pool | undefined {
    return this.pool;
  }

  /**
   * Migrates the barrier table, provisions the command topic if missing, and starts
   * consuming. A database or broker that is down (or restarting) is waited for, with a
   * warning each time, rather than failing: an outage is a pause. Other errors (a wrong
   * password, a bad option) are thrown.
   */
  async start(): Promise<void> {
    if (this.state !== 'created') throw new ParticipantStateError(`participant '${this.name}' was already started`);
    this.state = 'starting';
    for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.open();
        if (this.state !== 'starting') {
          await this.close();
          return;
        }
        this.state = 'running';
        return;
      } catch (err) {
        await this.close();
        if (!isRetriable(err) || this.state !== 'starting') {
          this.state = 'stopped';
          throw err;
        }
        this.options.logger.warn('the database or Kafka is not available yet; waiting to start', { ...describeError(err), retryInMs: delay });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async open(): Promise<void> {
    const o = this.options;
    const log = o.logger;
    this.pool = this.openPool();
    if (this.pool && o.migrate) {
      const { applied } = await migrateParticipantSchema(this.pool);
      if (applied.length > 0) log.info('applied participant migrations', { applied });
    }
    this.bus = await this.openBus();
    const topics = topicNames(o.topicPrefix);
    const commandTopic = topics.commands(o.name);
    await this.bus.ensureTopics([commandTopic, topics.deadLetter].map((topic) => ({ topic, partitions: o.topicPartitions, replicationFactor: o.topicReplicationFactor })));
    const processorOptions = { participant: o.name, skipExpiredExecutes: o.skipExpiredExecutes, logger: log, now: () => Date.now() };
    const processor: CommandProcessor = this.pool
      ? new BarrierCommandProcessor(this.pool, this.registry, processorOptions)
      : new StatelessCommandProcessor(this.registry, processorOptions);
    this.consumer = new CommandConsumer(this.bus, processor, {
      participant: o.name,
      groupId: o.groupId,
      commandTopic,
      deadLetterTopic: topics.deadLetter,
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
      sagasPerPartition: o.sagasPerPartition,
      commandsPerTransaction: o.commandsPerTransaction,
      sessionTimeoutMs: o.sessionTimeoutMs,
      logger: log,
    });
    await this.consumer.start();
    log.info('participant started', { topic: commandTopic, groupId: o.groupId, barrier: Boolean(this.pool), handlers: this.registry.commandTypes() });
  }

  /** Stops consuming (the running batch finishes and its replies go out), then closes what start() opened. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    await this.close();
    this.state = 'stopped';
    this.options.logger.info('participant stopped');
  }

  private async close(): Promise<void> {
    await this.consumer?.stop().catch((err: Error) => this.options.logger.warn('stopping the consumer failed', { error: err.message }));
    this.consumer = undefined;
    if (this.ownsBus) await this.bus?.disconnect();
    this.bus = undefined;
    if (this.ownsPool) await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }

  private openPool(): Pool | undefined {
    const db = this.options.database;
    if (!db) return undefined;
    if (!('url' in db)) return db;
    this.ownsPool = true;
    const pool = new Pool({
      connectionString: db.url,
      max: db.poolSize ?? 10,
      ssl: db.ssl ? { rejectUnauthorized: true } : undefined,
      connectionTimeoutMillis: 5_000,
      application_name: `participant-${this.options.name}`,
    });
    // An idle connection dropped by the server must not crash the service; the next checkout reconnects.
    pool.on('error', (err) => this.options.logger.warn('idle database connection failed', { error: err.message }));
    return pool;
  }

  private async openBus(): Promise<KafkaBus> {
    const kafka = this.options.kafka;
    if ('bus' in kafka) return kafka.bus;
    const log = this.options.logger;
    const bus = new KafkaBus({
      brokers: kafka.brokers,
      clientId: kafka.clientId ?? `participant-${this.options.name}`,
      ssl: kafka.ssl,
      sasl: kafka.sasl,
      log: (level, message, extra) => (level === 'error' || level === 'warn' ? log[level](message, extra) : log.debug(message, extra)),
    });
    await bus.connect();
    this.ownsBus = true;
    return bus;
  }
}
