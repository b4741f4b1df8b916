// Metrics, traces and saga-aware logs of the coordinator: the engine hooks that feed
// them (given to the engine as OBSERVABILITY_HOOKS), the scrape-time reader behind
// GET /metrics, the HTTP request histogram, and, when OTEL_EXPORTER_OTLP_ENDPOINT is
// set, the OTLP trace export (flushed at shutdown).
import { Global, Inject, MiddlewareConsumer, Module, NestModule, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { OBSERVABILITY_HOOKS } from '../coordinator/engine-hooks';
import { ParticipantHealth } from '../coordinator/participant-health';
import { PG_POOL } from '../persistence/database.module';
import { CoordinatorMetrics } from './coordinator-metrics';
import { MetricsScraper } from './metrics-scraper';
import { ObservabilityHooks } from './observability-hooks';
import { SagaTracing, setUpTracing } from './saga-tracing';

const TRACING = Symbol('TRACING_PROVIDER');

@Global()
@Module({
  providers: [
    CoordinatorMetrics,
    SagaTracing,
    { provide: OBSERVABILITY_HOOKS, inject: [CoordinatorMetrics, SagaTracing], useFactory: (m: CoordinatorMetrics, t: SagaTracing) => new ObservabilityHooks(m, t) },
    {
      provide: MetricsScraper,
      inject: [CoordinatorMetrics, PG_POOL, KafkaBus, AppConfig, ModuleRef],
      useFactory: (m: CoordinatorMetrics, pool: Pool, bus: KafkaBus, config: AppConfig, modules: ModuleRef) => {
        const topics = topicNames(config.KAFKA_TOPIC_PREFIX);
        // Looked up when scraped: the coordinator module (which depends on this one for its hooks) provides it.
        const participants = () => {
          try {
            return modules.get(ParticipantHealth, { strict: false }).all();
          } catch {
            return [];
          }
        };
        return new MetricsScraper(m, { pool, bus, groupId: config.consumerGroup, inboundTopics: [topics.replies, topics.start], participants });
      },
    },
    { provide: TRACING, inject: [AppConfig], useFactory: (config: AppConfig) => setUpTracing(config.OTEL_EXPORTER_OTLP_ENDPOINT, process.env) ?? null },
  ],
  exports: [CoordinatorMetrics, MetricsScraper, OBSERVABILITY_HOOKS],
})
export class ObservabilityModule implements NestModule, OnApplicationShutdown {
  constructor(
    private readonly metrics: CoordinatorMetrics,
    @Inject(TRACING) private readonly tracing: { forceFlush?(): Promise<void> } | null,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(httpMetrics(this.metrics)).forRoutes('{*path}');
  }

  async onApplicationShutdown(): Promise<void> {
    // The provider is the process's (another app in this process may still use it): flush, do not shut it down.
    await this.tracing?.forceFlush?.().catch(() => undefined);
  }
}

/** Observes every request's duration by its route template (bounded: never the path with its ids). */
function httpMetrics(metrics: CoordinatorMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route = (req.route as { path?: unknown } | undefined)?.path;
      end({ method: req.method, route: typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched', status_code: String(res.statusCode) });
    });
    next();
  };
}
