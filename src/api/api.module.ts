// The REST API under /v1: controllers, the services behind them, and API keys.
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CoordinatorModule } from '../coordinator/coordinator.module';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyService } from './auth/api-key.service';
import { AuthFailureLimiter } from './auth/auth-failure-limiter';
import { FirstApiKey } from './auth/first-api-key';
import { JsonBodyGuard } from './auth/json-body.guard';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DefinitionsController } from './definitions/definitions.controller';
import { MeController } from './me/me.controller';
import { MetricsAccessGuard, MetricsController } from './metrics/metrics.controller';
import { BulkOperationsController } from './operations/bulk-operations.controller';
import { SagaOperationsController } from './operations/saga-operations.controller';
import { SagaOperationsService } from './operations/saga-operations.service';
import { ParticipantsController } from './participants/participants.controller';
import { ParticipantsService } from './participants/participants.service';
import { SagaSettlementListener } from '../persistence/saga-settlement.listener';
import { SagaQueryService } from './sagas/saga-query.service';
import { SagaResultService } from './sagas/saga-result.service';
import { SagaStartService } from './sagas/saga-start.service';
import { SagasController } from './sagas/sagas.controller';
import { NoQueryParametersGuard } from './validation/no-query-parameters.guard';

@Module({
  imports: [CoordinatorModule],
  controllers: [DefinitionsController, SagasController, SagaOperationsController, BulkOperationsController, ApiKeysController, ParticipantsController, MeController, MetricsController, DeadLettersController],
  providers: [
    { provide: AuthFailureLimiter, inject: [AppConfig], useFactory: (config: AppConfig) => new AuthFailureLimiter({ perMinute: config.API_AUTH_FAILURES_PER_MINUTE }) },
    ApiKeyService,
    ApiKeyGuard,
    JsonBodyGuard,
    NoQueryParametersGuard,
    MetricsAccessGuard,
    FirstApiKey,
    SagaStartService,
    SagaQueryService,
    SagaOperationsService,
    ParticipantsService,
    // One LISTEN connection per replica for every request waiting for a saga's result.
    {
      provide: SagaSettlementListener,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new SagaSettlementListener({ connectionString: config.DATABASE_URL, ssl: config.DATABASE_SSL ? { rejectUnauthorized: true } : undefined }),
    },
    SagaResultService,
  ],
})
export class ApiModule {}
