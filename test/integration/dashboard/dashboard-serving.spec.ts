// The coordinator serves the dashboard's files under /ui, and only there: /v1, /health
// and /docs keep answering as before, and the page carries a strict CSP.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_DIR } from '../../../src/ui/dashboard-assets';
import { buildDashboard } from '../../support/dashboard-build';
import { ApiTestApp, startApiTestApp } from '../api/support/api-test-app';

describe('serving the dashboard under /ui', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    buildDashboard();
    api = await startApiTestApp();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('redirects /ui to /ui/ and serves the page there, with a CSP that allows only its own files and API', async () => {
    const redirect = await api.http.get('/ui').expect(301);
    expect(redirect.headers.location).toBe('ui/');
    const page = await api.http.get('/ui/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.text).toMatch(/<script type="module" src="\.\/assets\/main-[A-Z0-9]+\.js">/);
    // Nothing from another origin: the page works offline.
    expect(page.text).not.toMatch(/https?:\/\//);
  });

  it('serves every bundled asset with its type and long-lived caching, and nothing else', async () => {
    const page = await api.http.get('/ui/').expect(200);
    const script = /src="\.\/assets\/([^"]+)"/.exec(page.text)![1];
    const style = /href="\.\/assets\/([^"]+\.css)"/.exec(page.text)![1];
    expect(readdirSync(join(DASHBOARD_DIR, 'assets'))).toEqual(expect.arrayContaining([script, style]));
    const js = await api.http.get(`/ui/assets/${script}`).expect(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await api.http.get(`/ui/assets/${style}`).expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);

    for (const path of ['/ui/assets/nothing-here.js', '/ui/assets/..%2F..%2Fpackage.json', '/ui/assets/.hidden.js', '/ui/../package.json', '/ui/index.html/x']) {
      const res = await api.http.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.text).not.toContain('"name": "saga-coordinator"');
    }
  });

  it('leaves /v1, /health and /docs to their own controllers', async () => {
    expect((await api.http.get('/v1/sagas').expect(401)).body.code).toBe('API_KEY_MISSING');
    await api.http.get('/health').expect(200);
    await api.http.get('/docs-json').expect(200);
    // /ui is not a second way into the API, and the OpenAPI document does not list it.
    expect((await api.http.get('/ui/v1/sagas').expect(404)).body.code).toBe('ROUTE_NOT_FOUND');
    const doc = await api.http.get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths).filter((p) => p.startsWith('/ui'))).toEqual([]);
  });
});
