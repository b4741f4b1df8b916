import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CoordinatorModule } from '../../coordinator/coordinator.module';
import { HealthController } from './health.controller';
import { ReadinessIndicators } from './readiness.indicators';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), CoordinatorModule],
  controllers: [HealthController],
  providers: [ReadinessIndicators],
})
export class HealthModule {}
