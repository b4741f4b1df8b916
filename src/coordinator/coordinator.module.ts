// The coordinator's running parts: the engine and its applier (group commit), the
// definition registry, and the loops that move sagas — the inbound consumer, the
// publisher (outbox fast path), the outbox relay (recovery path), the reply-progress
// probe that gates timeouts, and the inbox pruner. They start once PostgreSQL is
// migrated (the consumer once Kafka answers too), in the background, so the process
// serves /health at once; they stop before the pool and the Kafka clients close.
import { BeforeApplicationShutdown, Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { KafkaReadiness } from '../messaging/messaging.module';
import { DatabaseReadiness, PG_POOL } from '../persistence/database.module';
import { pruneInbox } from '../persistence/inbox.repository';
import { Applier } from './applier';
import { ParticipantHealth } from './participant-health';
import { ParticipantStats } from './participant-stats';
import { TimerGate } from './timer-gate';
import { ENGINE_HOOKS, NO_HOOKS, OBSERVABILITY_HOOKS, type EngineHooks } from './engine-hooks';
import { compileEngineOptions, ENGINE_OPTIONS, type EngineOptions } from './engine-options';
import { InboundConsumer } from './inbound-consumer';
import { OutboxRelay } from './outbox-relay';
import { WorkLoop } from './work-loop';
import { Publisher } from './publisher';
import { ReplyProgress } from './reply-progress';
import { ENGINE_CLOCK, SagaEngine, systemClock, type EngineClock } from './saga-engine';
import { SagaDefinitionService } from './saga-definition.service';
import { throttledWarn } from './throttled-log';

const logger = new Logger('Coordinator');

@Module({
  providers: [
    SagaDefinitionService,
    SagaEngine,
    { provide: ENGINE_CLOCK, useValue: systemClock },
    { provide: ENGINE_HOOKS, inject: [{ token: OBSERVABILITY_HOOKS, optional: true }], useFactory: (hooks?: EngineHooks) => hooks ?? NO_HOOKS },
    { provide: ENGINE_OPTIONS, inject: [AppConfig], useFactory: compileEngineOptions },
    {
      provide: Publisher,
      inject: [KafkaBus, ENGINE_OPTIONS],
      useFactory: (bus: KafkaBus, o: EngineOptions) =>
        new Publisher(bus, { maxMessagesPerSend: o.maxMessagesPerSend, maxBacklogMessages: o.maxPublishBacklog, handoverAfterMs: o.relayGraceMs, onError: throttledWarn(logger, 'publishing committed messages (retrying)') }),
    },
    {
      provide: ReplyProgress,
      inject: [KafkaBus, ENGINE_OPTIONS],
      useFactory: (bus: KafkaBus, o: EngineOptions) =>
        new ReplyProgress(bus, { groupId: o.groupId, repliesTopic: o.topics.replies, onError: throttledWarn(logger, 'reading the consumer group progress') }),
    },
    {
      provide: ParticipantHealth,
      inject: [KafkaBus, ENGINE_OPTIONS],
      useFactory: (bus: KafkaBus, o: EngineOptions) => new ParticipantHealth(bus, o.topics, { onError: throttledWarn(logger, 'reading participant consumer groups') }),
    },
    {
      provide: TimerGate,
      inject: [PG_POOL, ReplyProgress, ParticipantHealth, ENGINE_OPTIONS],
      useFactory: (pool: Pool, progress: ReplyProgress, health: ParticipantHealth, o: EngineOptions) =>
        new TimerGate(pool, progress, health, o.breakerPolicy, { waitForReplies: true, onError: throttledWarn(logger, 'reading circuit breakers') }),
    },
    { provide: ParticipantStats, useValue: new ParticipantStats() },
    {
      provide: Applier,
      inject: [PG_POOL, SagaDefinitionService, Publisher, ENGINE_CLOCK, TimerGate, ParticipantStats, ENGINE_OPTIONS, ENGINE_HOOKS],
      useFactory: (pool: Pool, defs: SagaDefinitionService, publisher: Publisher, clock: EngineClock, gate: TimerGate, stats: ParticipantStats, o: EngineOptions, hooks: EngineHooks) => {
        const warn = throttledWarn(logger, 'engine');
        return new Applier(pool, defs, publisher, o.topics, clock, gate, stats, {
          maxBatchEvents: o.maxBatchEvents,
          lifecycleEvents: o.lifecycleEvents,
          timerPollIntervalMs: o.timerPollIntervalMs,
          timerBatchSize: o.timerBatchSize,
          maxQueuedEvents: o.maxQueuedEvents,
          stopGraceMs: o.stopGraceMs,
          onError: (err, context) => warn(new Error(`${context}: ${err.message}`)),
          onQuarantine: (sagaId, reason) => {
            logger.warn({ sagaId, reason, msg: 'saga quarantined: it needs an operator' });
            hooks.quarantined(sagaId, reason);
          },
          hooks,
        });
      },
    },
  ],
  exports: [SagaDefinitionService, SagaEngine, ENGINE_OPTIONS, ENGINE_HOOKS, ReplyProgress, ParticipantHealth, TimerGate, ParticipantStats],
})
export class CoordinatorModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;
  private readonly consumer: InboundConsumer;
  /** The periodic readers of Kafka's and the database's view: reply progress, participant consumption, breakers. */
  private readonly watchers: WorkLoop[];
  private pruner?: NodeJS.Timeout;
  private stopping = false;
  private started?: Promise<void>;

  /** Settles once consumption has started (or the start was abandoned by a stop). */
  get consuming(): Promise<void> {
    return this.started ?? Promise.resolve();
  }

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    bus: KafkaBus,
    engine: SagaEngine,
    private readonly applier: Applier,
    private readonly publisher: Publisher,
    progress: ReplyProgress,
    health: ParticipantHealth,
    gate: TimerGate,
    private readonly database: DatabaseReadiness,
    private readonly kafka: KafkaReadiness,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
    @Inject(ENGINE_HOOKS) hooks: EngineHooks,
  ) {
    this.relay = new OutboxRelay(pool, bus, { graceMs: options.relayGraceMs, pollIntervalMs: options.relayPollIntervalMs, batchesPerRound: options.relayBatchesPerRound, onError: throttledWarn(logger, 'outbox relay') });
    const every = (ms: number, read: () => Promise<void>) => new WorkLoop(async () => (await read(), false), { idleMs: ms });
    this.watchers = [every(options.replyProgressIntervalMs, () => progress.tick()), every(options.participantHealthIntervalMs, () => health.poll()), every(500, () => gate.refresh())];
    this.consumer = new InboundConsumer(bus, engine, applier, options, throttledWarn(logger, 'inbound consumer'), hooks);
  }

  onApplicationBootstrap(): void {
    this.started = this.startWhenReady();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pruner);
    // Stop taking work first, then finish what was taken; publish last, so committed messages go out.
    await this.consumer.stop().catch((err: Error) => logger.warn(`stopping the consumer: ${err.message}`));
    await Promise.all(this.watchers.map((w) => w.stop()));
    await this.applier.stop();
    await this.relay.stop();
    await this.publisher.stop(2_000);
  }

  private async startWhenReady(): Promise<void> {
    await this.database.ready;
    if (this.stopping) return;
    this.watchers[2].start();
    this.publisher.start();
    this.applier.start();
    this.relay.start();
    this.pruner = setInterval(() => void pruneInbox(this.pool, this.options.inboxRetentionSeconds, 10_000).catch(() => undefined), 60_000);
    this.pruner.unref();
    await this.kafka.ready;
    if (this.stopping) return;
    this.watchers[0].start();
    this.watchers[1].start();
    for (let delay = 500; !this.stopping; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.consumer.start();
        logger.log('coordinator started: consuming replies and start requests');
        return;
      } catch (err) {
        logger.warn(`could not start consuming (retrying): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
