import { Global, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';

function createKafkaBus(config: AppConfig): KafkaBus {
  const logger = new Logger('Kafka');
  return new KafkaBus({
    brokers: config.kafkaBrokerList,
    clientId: config.KAFKA_CLIENT_ID,
    ssl: config.KAFKA_SSL,
    sasl: config.KAFKA_SASL_MECHANISM
      ? { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME ?? '', password: config.KAFKA_SASL_PASSWORD ?? '' }
      : undefined,
    // kafkajs's fields stay fields (under `kafka`), not JSON text inside the message.
    log: (level, message, extra) => {
      const fields = { kafka: extra };
      if (level === 'error') logger.error(fields, message);
      else if (level === 'warn') logger.warn(fields, message);
      else logger.debug(fields, message);
    },
  });
}

/** Whether Kafka is connected and the coordinator's topics exist; a broker down at boot is waited for, not fatal. */
export class KafkaReadiness {
  private resolveReady!: () => void;
  readonly ready: Promise<void> = new Promise((resolve) => (this.resolveReady = resolve));
  private done = false;

  get isReady(): boolean {
    return this.done;
  }

  markReady(): void {
    this.done = true;
    this.resolveReady();
  }
}

/** The KafkaBus, connected and with the coordinator's topics provisioned (in the background when the broker is down), disconnected at shutdown. */
@Global()
@Module({
  providers: [{ provide: KafkaBus, inject: [AppConfig], useFactory: createKafkaBus }, KafkaReadiness],
  exports: [KafkaBus, KafkaReadiness],
})
export class MessagingModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');
  private closing = false;

  constructor(
    private readonly bus: KafkaBus,
    private readonly config: AppConfig,
    private readonly readiness: KafkaReadiness,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.logger.warn(`${(err as Error).message}; waiting for Kafka (the coordinator is not ready until it answers)`);
      void this.keepTrying();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.bus.disconnect();
  }

  private async keepTrying(): Promise<void> {
    for (let delay = 500; !this.closing; delay = Math.min(delay * 2, 5_000)) {
      await new Promise((r) => setTimeout(r, delay));
      if (this.closing) return;
      try {
        await this.connect();
        this.logger.log('Kafka answers again');
        return;
      } catch (err) {
        this.logger.warn(`still waiting for Kafka: ${(err as Error).message}`);
      }
    }
  }

  private async connect(): Promise<void> {
    await this.bus.connect();
    const names = topicNames(this.config.KAFKA_TOPIC_PREFIX);
    await this.bus.ensureTopics(
      [names.start, names.replies, names.events, names.deadLetter].map((topic) => ({
        topic,
        partitions: this.config.KAFKA_PARTITIONS,
        replicationFactor: this.config.KAFKA_REPLICATION_FACTOR,
      })),
    );
    this.readiness.markReady();
  }
}
