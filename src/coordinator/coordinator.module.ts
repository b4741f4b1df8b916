// The coordinator's running parts: the engine, the definition registry, and the three
// loops that move sagas (inbound consumer, timer poller, outbox relay). They start once
// the database is migrated and Kafka is connected, and stop before those close.
import { BeforeApplicationShutdown, Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { PG_POOL } from '../persistence/database.module';
import { EffectWriter } from './effect-writer';
import { InboundConsumer } from './inbound-consumer';
import { OutboxRelay } from './outbox-relay';
import { ENGINE_CLOCK, SagaEngine, systemClock } from './saga-engine';
import { SagaDefinitionService } from './saga-definition.service';
import { TimerPoller } from './timer-poller';

@Module({
  providers: [SagaDefinitionService, EffectWriter, SagaEngine, { provide: ENGINE_CLOCK, useValue: systemClock }],
  exports: [SagaDefinitionService, SagaEngine],
})
export class CoordinatorModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Coordinator');
  private readonly relay: OutboxRelay;
  private readonly timers: TimerPoller;
  private readonly consumer: InboundConsumer;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    bus: KafkaBus,
    engine: SagaEngine,
    config: AppConfig,
  ) {
    const onError = (what: string) => (err: Error) => this.logger.warn(`${what}: ${err.message}`);
    this.relay = new OutboxRelay(pool, bus, { onError: onError('outbox relay') });
    this.timers = new TimerPoller(pool, engine, { onError: onError('timer poller') });
    this.consumer = new InboundConsumer(bus, engine, {
      groupId: config.consumerGroup,
      topics: topicNames(config.KAFKA_TOPIC_PREFIX),
      // Every partition this replica is assigned can be applied at once; each needs one pool connection
      // (the relay's LISTEN connection, the relay and the timer poller hold one each).
      partitionsConsumedConcurrently: Math.max(1, Math.min(config.KAFKA_PARTITIONS, config.DATABASE_POOL_SIZE - 3)),
      onError: onError('inbound consumer'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
    this.timers.start();
    await this.consumer.start();
    this.logger.log('coordinator started: consuming replies and start requests, relaying the outbox, firing timers');
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Stop taking work first, then finish what was taken; the relay last, so committed messages go out.
    await this.consumer.stop();
    await this.timers.stop();
    await this.relay.stop();
  }
}
