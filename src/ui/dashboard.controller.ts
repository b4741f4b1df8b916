// Serves the operator dashboard's static files under /ui: the page at /ui/ and its
// bundles at /ui/assets/<name>. Only these routes: /v1, /health, /docs and /metrics stay
// with their own controllers. The files need no key; every piece of data the page shows
// comes from /v1 with the key the operator enters.
import { Controller, Get, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ASSET_HEADERS, ASSET_NAME, DASHBOARD_FILES, DASHBOARD_INDEX, dashboardBuilt, PAGE_HEADERS } from './dashboard-assets';
import { DashboardNotBuiltError } from './dashboard-errors';

@ApiExcludeController()
@Controller('ui')
export class DashboardController {
  private readonly assetsDir: string;

  constructor(@Inject(DASHBOARD_FILES) private readonly dir: string) {
    this.assetsDir = join(dir, 'assets');
  }

  @Get()
  page(@Req() req: Request, @Res() res: Response): void {
    // The page loads ./assets/… and calls ../v1/…, relative to /ui/, so it also works behind
    // a proxy that mounts the coordinator under a path; hence the relative redirect too.
    if (!req.path.endsWith('/')) {
      res.redirect(301, 'ui/');
      return;
    }
    if (!dashboardBuilt(this.dir)) throw new DashboardNotBuiltError();
    res.sendFile(DASHBOARD_INDEX, { root: this.dir, headers: PAGE_HEADERS });
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    if (!ASSET_NAME.test(name) || !existsSync(join(this.assetsDir, name))) throw new NotFoundException();
    res.sendFile(name, { root: this.assetsDir, headers: ASSET_HEADERS });
  }
}
