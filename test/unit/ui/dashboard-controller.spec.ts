// The /ui controller on a folder of the test's own: the page, its assets, nothing else,
// and a clear problem when the dashboard was never built.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ProblemDetailsFilter } from '../../../src/api/errors/problem-details.filter';
import { DASHBOARD_FILES } from '../../../src/ui/dashboard-assets';
import { DashboardController } from '../../../src/ui/dashboard.controller';

async function serve(dir: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ controllers: [DashboardController], providers: [{ provide: DASHBOARD_FILES, useValue: dir }] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new ProblemDetailsFilter());
  await app.init();
  return app;
}

describe('DashboardController', () => {
  let dir: string;
  let app: INestApplication | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-files-'));
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 404 DASHBOARD_NOT_BUILT, saying how to build it, when the folder has no page', async () => {
    app = await serve(join(dir, 'missing'));
    const res = await request(app.getHttpServer()).get('/ui/').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'DASHBOARD_NOT_BUILT', detail: expect.stringContaining('npm run build') });
  });

  it('serves the page and the files under assets/, and refuses every other name', async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'secret.txt'), 'not an asset');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'main-ABC123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', '.env.js'), 'hidden');
    app = await serve(dir);
    const http = request(app.getHttpServer());
    expect((await http.get('/ui/').expect(200)).text).toContain('<title>t</title>');
    expect((await http.get('/ui/assets/main-ABC123.js').expect(200)).text).toBe('console.log(1)');
    for (const path of ['/ui/secret.txt', '/ui/assets/..%2Fsecret.txt', '/ui/assets/.env.js', '/ui/assets/main-ABC123.js.bak', '/ui/assets/none.js']) {
      const res = await http.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });
});
