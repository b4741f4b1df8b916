import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ReadinessIndicators } from './readiness.indicators';

/** Liveness and readiness; open to everyone (no API key), as orchestrators expect. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
  ) {}

  /** Liveness: the process serves HTTP. Deliberately checks no dependency, so an outage does not restart every replica. */
  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: PostgreSQL answers and is migrated, Kafka answers, and the replies are being read; 503 naming what is missing. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.readiness.postgres(), () => this.readiness.kafka(), () => this.readiness.replies()]);
  }
}
