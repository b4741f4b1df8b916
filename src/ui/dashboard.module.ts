// The operator dashboard, served by the coordinator under /ui (see dashboard.controller.ts).
import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';

@Module({ controllers: [DashboardController] })
export class DashboardModule {}
