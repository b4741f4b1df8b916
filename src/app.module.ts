import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ApiModule } from './api/api.module';
import { HealthModule } from './api/health/health.module';
import { AppConfig } from './config/app-config';
import { CoordinatorModule } from './coordinator/coordinator.module';
import { ConfigModule } from './config/config.module';
import { MessagingModule } from './messaging/messaging.module';
import { DatabaseModule } from './persistence/database.module';
import { loggerOptions } from './logging';
import { ObservabilityModule } from './observability/observability.module';
import { DashboardModule } from './ui/dashboard.module';
import { RuntimeModule } from './runtime/runtime.module';

/** The coordinator service: config, logging, PostgreSQL, Kafka, and the API and the dashboard on top. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        DatabaseModule,
        MessagingModule,
        ObservabilityModule,
        CoordinatorModule,
        HealthModule,
        ApiModule,
        DashboardModule,
        RuntimeModule,
      ],
    };
  }
}
