// GET /metrics: the Prometheus text format. Open by default (scrapers rarely carry keys);
// METRICS_AUTH=viewer asks for an API key of role viewer, checked by the API's own guard.
import { CanActivate, Controller, ExecutionContext, Get, Injectable, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { MetricsScraper } from '../../observability/metrics-scraper';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { RequireRole } from '../auth/api-route.decorators';

@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly keys: ApiKeyGuard,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    return this.config.METRICS_AUTH === 'none' || this.keys.canActivate(context);
  }
}

@Controller('metrics')
@ApiTags('metrics')
@UseGuards(MetricsAccessGuard)
export class MetricsController {
  constructor(private readonly scraper: MetricsScraper) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Prometheus metrics (text format 0.0.4). No key needed unless METRICS_AUTH=viewer; see docs/observability.md' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'the metrics', schema: { type: 'string' } })
  async metrics(@Res() res: Response): Promise<void> {
    const body = await this.scraper.render();
    res.setHeader('Content-Type', this.scraper.contentType);
    res.send(body);
  }
}
