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

/** The KafkaBus, connected and with the coordinator's topics provisioned at boot, disconnected at shutdown. */
@Global()
@Module({
  providers: [{ provide: KafkaBus, inject: [AppConfig], useFactory: createKafkaBus }],
  exports: [KafkaBus],
})
export class MessagingModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly bus: KafkaBus,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.bus.connect();
    const names = topicNames(this.config.KAFKA_TOPIC_PREFIX);
    await this.bus.ensureTopics(
      [names.start, names.replies, names.events, names.deadLetter].map((topic) => ({
        topic,
        partitions: this.config.KAFKA_PARTITIONS,
        replicationFactor: this.config.KAFKA_REPLICATION_FACTOR,
      })),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.disconnect();
  }
}
