// What every request meets before any saga logic: the OpenAPI document, problem+json
// errors with stable codes, unknown routes, the body size limit, malformed and non-JSON
// bodies, unknown fields, and open health endpoints.
import { ApiTestApp, startApiTestApp } from './support/api-test-app';
import { waitFor } from '../../support/saga-waits';

const PROBLEM = /^application\/problem\+json/;

describe('HTTP basics of the REST API', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp([], { API_BODY_LIMIT: '2kb' });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('serves the OpenAPI document at /docs-json, covering every /v1 endpoint with its security', async () => {
    const res = await api.http.get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const operations = Object.entries(res.body.paths as Record<string, Record<string, { security?: unknown[]; 'x-required-role'?: string }>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual(
      [
        'DELETE /v1/api-keys/{name}',
        'DELETE /v1/definitions/{name}/versions/{version}',
        'GET /v1/api-keys',
        'GET /v1/definitions',
        'GET /v1/definitions/{name}',
        'GET /v1/definitions/{name}/versions',
        'GET /v1/definitions/{name}/versions/{version}',
        'GET /v1/me',
        'GET /v1/participants',
        'GET /v1/dead-letters',
        'GET /metrics',
        'GET /v1/sagas',
        'GET /v1/sagas/{sagaId}',
        'GET /v1/sagas/{sagaId}/result',
        'POST /v1/api-keys',
        'POST /v1/bulk-operations',
        'POST /v1/definitions',
        'POST /v1/definitions/{name}/versions/{version}/deprecate',
        'POST /v1/participants/{name}/breaker/close',
        'POST /v1/participants/{name}/breaker/open',
        'POST /v1/sagas',
        'POST /v1/sagas/{sagaId}/cancel',
        'POST /v1/sagas/{sagaId}/resume',
        'POST /v1/sagas/{sagaId}/retry',
        'POST /v1/sagas/{sagaId}/steps/{step}/override',
        'GET /health',
        'GET /health/ready',
      ].sort(),
    );
    for (const { path, op } of operations.filter((o) => o.path.startsWith('/v1/'))) {
      expect({ path, security: op.security }).toEqual({ path, security: [{ bearer: [] }, { 'api-key': [] }] });
      expect(['viewer', 'operator', 'admin']).toContain(op['x-required-role']);
    }
    expect(res.body.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'api-key': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
  });

  it('renders the OpenAPI document as HTML at /docs', async () => {
    const res = await api.http.get('/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('answers an unknown route with a 404 problem, with or without /v1', async () => {
    for (const path of ['/v1/nothing-here', '/nothing', '/v2/sagas', '/health/nothing']) {
      const res = await api.as('admin').get(path).expect(404);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toEqual({
        type: 'urn:saga-coordinator:problem:route-not-found',
        title: 'Not Found',
        status: 404,
        detail: 'no such endpoint; see /docs for the API',
        instance: path,
        code: 'ROUTE_NOT_FOUND',
      });
    }
    await api.as('admin').delete('/v1/sagas').expect(404);
  });

  it('keeps health endpoints open, without an API key', async () => {
    await api.http.get('/health').expect(200);
    // Readiness may lag the boot by a few reply-progress probes (503 naming what is missing); it never asks for a key.
    const statuses: number[] = [];
    await waitFor('readiness', async () => {
      const status = (await api.http.get('/health/ready')).status;
      statuses.push(status);
      return status === 200 ? true : undefined;
    }, 30_000);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
  });

  it('refuses a body over API_BODY_LIMIT with 413 and a problem', async () => {
    const res = await api.as('admin').post('/v1/definitions', { name: 'big', description: 'x'.repeat(3000), steps: [] }).expect(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses malformed JSON with 400 MALFORMED_REQUEST, without echoing internals', async () => {
    const res = await api.as('operator').post('/v1/sagas').set('Content-Type', 'application/json').send('{"definition": "order", ').expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js|node_modules|SyntaxError/);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await api.as('operator').post('/v1/sagas').set('Content-Type', 'text/plain').send('definition=order').expect(415);
    expect(res.body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    const form = await api.as('operator').post('/v1/sagas').type('form').send({ definition: 'order', input: 'x' }).expect(415);
    expect(form.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses unknown body fields and unknown query parameters, naming each', async () => {
    const body = await api.as('operator').post('/v1/sagas', { definition: 'order', input: {}, priority: 'high' }).expect(400);
    expect(body.headers['content-type']).toMatch(PROBLEM);
    expect(body.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ field: 'priority', message: 'property priority should not exist' }] });
    const query = await api.as('viewer').get('/v1/sagas?definition=order&sort=asc').expect(400);
    expect(query.body.errors).toEqual([{ field: 'sort', message: 'property sort should not exist' }]);
  });

  it('answers an unexpected failure with a bare 500 problem: no stack, no SQL', async () => {
    // A saga row whose definition version the registry cannot load is a broken invariant (a bug), not the caller's fault.
    await api.h.pool.query(`insert into saga_definitions (name, version, content_hash, document, normalized) values ('broken', 1, 'h', '{}', '{"stages": "not an array"}')`);
    const sagaId = '00000000-0000-4000-8000-000000000001';
    await api.h.pool.query(`insert into saga_instances (saga_id, definition_name, definition_version, status, input, state) values ($1, 'broken', 1, 'RUNNING', '{}', '{"steps": {}}')`, [sagaId]);
    const res = await api.as('viewer').get(`/v1/sagas/${sagaId}`).expect(500);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toEqual({
      type: 'urn:saga-coordinator:problem:internal-error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'an unexpected error occurred; it has been logged',
      instance: `/v1/sagas/${sagaId}`,
      code: 'INTERNAL_ERROR',
    });
  });

  it('does not advertise the framework', async () => {
    const res = await api.http.get('/health').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
