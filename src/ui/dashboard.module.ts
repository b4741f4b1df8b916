// The operator dashboard, served by the coordinator under /ui (see dashboard.controller.ts).
import { Module } from '@nestjs/common';
import { DASHBOARD_DIR, DASHBOARD_FILES } from './dashboard-assets';
import { DashboardController } from './dashboard.controller';

@Module({ controllers: [DashboardController], providers: [{ provide: DASHBOARD_FILES, useValue: DASHBOARD_DIR }] })
export class DashboardModule {}
