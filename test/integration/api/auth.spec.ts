// Authentication and roles: every /v1 endpoint against no key, a wrong key and each
// role; keys from API_KEYS and from the database (created, used, revoked); and
// API_AUTH=disabled. The matrix is checked against the OpenAPI document, so an
// endpoint added without an entry here fails this test.
import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { waitForSagaStatus } from '../../support/saga-waits';
import { startCoordinatorHarness } from '../../support/coordinator-harness';
import { ApiTestApp, KEYS, orderDefinition, Role, startApiTestApp } from './support/api-test-app';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

interface MatrixEntry {
  method: 'get' | 'post' | 'delete';
  /** As in the OpenAPI document. */
  route: string;
  required: Role;
  /** The request, for one caller (`role` when it has one); `n` makes bodies unique per call. */
  path: (role?: Role) => string;
  body?: (n: number) => object;
  headers?: (n: number) => Record<string, string>;
  /** What an allowed caller gets, proving the request went past authorisation. */
  allowed: { status: number; code?: string };
}

describe('API keys and roles', () => {
  let api: ApiTestApp;
  const def = orderDefinition();
  let completedSaga: string;
  let counter = 0;

  beforeAll(async () => {
    // The matrix sends about 70 requests with missing or wrong keys within seconds: above the default limit of failures.
    api = await startApiTestApp(['orders', 'payments', 'stock'], { API_AUTH_FAILURES_PER_MINUTE: '1000' });
    await api.as('admin').post('/v1/definitions', def).expect(201);
    const started = await api.as('operator').post('/v1/sagas', { definition: def.name, input: { orderId: 'o-1' } }).expect(201);
    completedSaga = started.body.sagaId;
    await waitForSagaStatus(api.h.pool, completedSaga, ['COMPLETED']);
    // The key the admin deletes in the matrix (the only role that may).
    await api.as('admin').post('/v1/api-keys', { name: 'doomed-admin', role: 'viewer' }).expect(201);
  });

  afterAll(async () => {
    await api?.close();
  });

  const matrix = (): MatrixEntry[] => [
    { method: 'get', route: '/v1/definitions', required: 'viewer', path: () => '/v1/definitions', allowed: { status: 200 } },
    { method: 'get', route: '/v1/definitions/{name}', required: 'viewer', path: () => `/v1/definitions/${def.name}`, allowed: { status: 200 } },
    { method: 'get', route: '/v1/definitions/{name}/versions', required: 'viewer', path: () => `/v1/definitions/${def.name}/versions`, allowed: { status: 200 } },
    { method: 'get', route: '/v1/definitions/{name}/versions/{version}', required: 'viewer', path: () => `/v1/definitions/${def.name}/versions/1`, allowed: { status: 200 } },
    { method: 'post', route: '/v1/definitions', required: 'admin', path: () => '/v1/definitions', body: () => def, allowed: { status: 200 } },
    { method: 'get', route: '/v1/sagas', required: 'viewer', path: () => '/v1/sagas', allowed: { status: 200 } },
    { method: 'get', route: '/v1/sagas/{sagaId}', required: 'viewer', path: () => `/v1/sagas/${completedSaga}`, allowed: { status: 200 } },
    { method: 'get', route: '/v1/sagas/{sagaId}/result', required: 'viewer', path: () => `/v1/sagas/${completedSaga}/result`, allowed: { status: 200 } },
    // A version that does not exist: the role check comes first, and the definition stays startable for the other entries.
    { method: 'post', route: '/v1/definitions/{name}/versions/{version}/deprecate', required: 'admin', path: () => `/v1/definitions/${def.name}/versions/99/deprecate`, allowed: { status: 404, code: 'DEFINITION_NOT_FOUND' } },
    { method: 'delete', route: '/v1/definitions/{name}/versions/{version}', required: 'admin', path: () => `/v1/definitions/${def.name}/versions/99`, allowed: { status: 404, code: 'DEFINITION_NOT_FOUND' } },
    {
      method: 'post', route: '/v1/sagas', required: 'operator', path: () => '/v1/sagas',
      body: () => ({ definition: def.name, input: { orderId: 'matrix' } }), headers: (n) => ({ 'Idempotency-Key': `matrix-${n}` }), allowed: { status: 201 },
    },
    { method: 'post', route: '/v1/sagas/{sagaId}/cancel', required: 'operator', path: () => `/v1/sagas/${completedSaga}/cancel`, body: () => ({ reason: 'matrix' }), allowed: { status: 409, code: 'SAGA_FINISHED' } },
    { method: 'post', route: '/v1/sagas/{sagaId}/retry', required: 'operator', path: () => `/v1/sagas/${completedSaga}/retry`, body: () => ({ reason: 'matrix' }), allowed: { status: 409, code: 'SAGA_FINISHED' } },
    { method: 'post', route: '/v1/sagas/{sagaId}/resume', required: 'operator', path: () => `/v1/sagas/${completedSaga}/resume`, body: () => ({ reason: 'matrix' }), allowed: { status: 409, code: 'SAGA_NOT_FAILED' } },
    {
      method: 'post', route: '/v1/sagas/{sagaId}/steps/{step}/override', required: 'admin', path: () => `/v1/sagas/${completedSaga}/steps/charge/override`,
      body: () => ({ as: 'succeeded', reason: 'matrix' }), allowed: { status: 409, code: 'SAGA_FINISHED' },
    },
    {
      method: 'post', route: '/v1/bulk-operations', required: 'operator', path: () => '/v1/bulk-operations',
      body: () => ({ operation: 'cancel', filter: { sagaIds: [completedSaga] }, reason: 'matrix', dryRun: true }), allowed: { status: 200 },
    },
    { method: 'get', route: '/v1/participants', required: 'viewer', path: () => '/v1/participants', allowed: { status: 200 } },
    { method: 'get', route: '/v1/dead-letters', required: 'viewer', path: () => '/v1/dead-letters', allowed: { status: 200 } },
    // An unknown participant: the role check comes first, and nothing is changed for the other tests.
    { method: 'post', route: '/v1/participants/{name}/breaker/open', required: 'operator', path: () => '/v1/participants/nobody/breaker/open', body: () => ({ reason: 'matrix' }), allowed: { status: 404, code: 'PARTICIPANT_NOT_FOUND' } },
    { method: 'post', route: '/v1/participants/{name}/breaker/close', required: 'operator', path: () => '/v1/participants/nobody/breaker/close', body: () => ({ reason: 'matrix' }), allowed: { status: 404, code: 'PARTICIPANT_NOT_FOUND' } },
    { method: 'get', route: '/v1/me', required: 'viewer', path: () => '/v1/me', allowed: { status: 200 } },
    { method: 'get', route: '/v1/api-keys', required: 'admin', path: () => '/v1/api-keys', allowed: { status: 200 } },
    { method: 'post', route: '/v1/api-keys', required: 'admin', path: () => '/v1/api-keys', body: (n) => ({ name: `matrix-${n}`, role: 'viewer' }), allowed: { status: 201 } },
    { method: 'delete', route: '/v1/api-keys/{name}', required: 'admin', path: (role) => `/v1/api-keys/doomed-${role ?? 'anyone'}`, allowed: { status: 204 } },
  ];

  function send(entry: MatrixEntry, auth: Record<string, string>, role?: Role): request.Test {
    const n = ++counter;
    let req = api.http[entry.method](entry.path(role)).set(auth).set(entry.headers?.(n) ?? {});
    if (entry.body) req = req.send(entry.body(n));
    return req;
  }

  it('has an entry for every /v1 endpoint of the OpenAPI document, with the role it declares', async () => {
    const doc = await api.http.get('/docs-json').expect(200);
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, { 'x-required-role': string }>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => `${method} ${path} ${op['x-required-role']}`));
    expect(matrix().map((e) => `${e.method} ${e.route} ${e.required}`).sort()).toEqual(documented.sort());
  });

  it('answers 401 API_KEY_MISSING, with a Bearer challenge, to a request without a key, on every endpoint', async () => {
    for (const entry of matrix()) {
      const res = await send(entry, {});
      expect({ route: `${entry.method} ${entry.route}`, status: res.status, code: res.body.code }).toEqual({ route: `${entry.method} ${entry.route}`, status: 401, code: 'API_KEY_MISSING' });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="saga-coordinator"');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 401 API_KEY_INVALID to a wrong key, on every endpoint, whichever header carries it', async () => {
    const wrong: Record<string, string>[] = [{ Authorization: 'Bearer not-a-key-but-long-enough-000' }, { 'X-API-Key': 'not-a-key-but-long-enough-000' }, { Authorization: `Basic ${Buffer.from(`x:${KEYS.admin.key}`).toString('base64')}` }];
    for (const entry of matrix()) {
      for (const auth of wrong) {
        const res = await send(entry, auth);
        expect({ route: `${entry.method} ${entry.route}`, status: res.status, code: res.body.code }).toEqual({ route: `${entry.method} ${entry.route}`, status: 401, code: 'API_KEY_INVALID' });
      }
    }
  });

  it.each(ROLES)('lets the %s role call exactly the endpoints its rank allows, and answers 403 FORBIDDEN to the others', async (role) => {
    for (const entry of matrix()) {
      const res = await send(entry, { Authorization: `Bearer ${KEYS[role].key}` }, role);
      const route = `${entry.method} ${entry.route}`;
      if (RANK[role] >= RANK[entry.required]) {
        expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status: entry.allowed.status, code: entry.allowed.code });
      } else {
        expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status: 403, code: 'FORBIDDEN' });
        expect(res.body.detail).toBe(`this action needs the ${entry.required} role; the API key has the ${role} role`);
      }
    }
  });

  it('accepts the key in X-API-Key as well as in Authorization: Bearer (any case of the scheme)', async () => {
    await api.http.get('/v1/sagas').set('X-API-Key', KEYS.viewer.key).expect(200);
    await api.http.get('/v1/sagas').set('Authorization', `bearer ${KEYS.viewer.key}`).expect(200);
  });

  it.each(ROLES)('tells a %s key its own name, role and actor at GET /v1/me', async (role) => {
    const res = await api.as(role).get('/v1/me').expect(200);
    expect(res.body).toEqual({ name: KEYS[role].name, role, source: 'environment', actor: `api-key:${KEYS[role].name}` });
  });

  it('creates a database key shown once, stores only its hash, accepts it, and refuses it at once after revocation', async () => {
    const created = await api.as('admin').post('/v1/api-keys', { name: 'ci-deployer', role: 'operator' }).expect(201);
    expect(created.headers.location).toBe('/v1/api-keys/ci-deployer');
    expect(created.body).toMatchObject({ name: 'ci-deployer', role: 'operator', source: 'database', createdBy: KEYS.admin.name, revokedAt: null });
    const key: string = created.body.key;
    expect(key).toMatch(/^sck_[A-Za-z0-9_-]{43}$/);

    const row = await api.h.pool.query('select key_hash from api_keys where name = $1', [created.body.name]);
    expect(row.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = await api.h.pool.query('select * from api_keys');
    expect(JSON.stringify(everything.rows)).not.toContain(key);

    // Its role applies, and its name is the actor in the saga's history.
    const started = await api.http.post('/v1/sagas').set('Authorization', `Bearer ${key}`).send({ definition: def.name, input: { by: 'ci' } }).expect(201);
    const history = await api.h.pool.query("select actor from saga_history where saga_id = $1 and event_type = 'SagaStarted'", [started.body.sagaId]);
    expect(history.rows).toEqual([{ actor: 'api-key:ci-deployer' }]);
    await api.http.post('/v1/definitions').set('Authorization', `Bearer ${key}`).send(def).expect(403);
    const me = await api.http.get('/v1/me').set('Authorization', `Bearer ${key}`).expect(200);
    expect(me.body).toEqual({ name: 'ci-deployer', role: 'operator', source: 'database', actor: 'api-key:ci-deployer' });

    const listed = await api.as('admin').get('/v1/api-keys').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: KEYS.admin.name, role: 'admin', source: 'environment' }),
        expect.objectContaining({ name: 'ci-deployer', role: 'operator', source: 'database', revokedAt: null }),
      ]),
    );
    expect(listed.body.items.every((k: object) => !('key' in k) && !('keyHash' in k))).toBe(true);

    await api.as('admin').delete('/v1/api-keys/ci-deployer').expect(204);
    const refused = await api.http.get('/v1/sagas').set('Authorization', `Bearer ${key}`).expect(401);
    expect(refused.body.code).toBe('API_KEY_INVALID');
    // Revoking again changes nothing; the name is never reused.
    await api.as('admin').delete('/v1/api-keys/ci-deployer').expect(204);
    const revoked = await api.h.pool.query('select revoked_by from api_keys where name = $1', ['ci-deployer']);
    expect(revoked.rows).toEqual([{ revoked_by: KEYS.admin.name }]);
    const reused = await api.as('admin').post('/v1/api-keys', { name: 'ci-deployer', role: 'viewer' }).expect(409);
    expect(reused.body.code).toBe('API_KEY_NAME_TAKEN');
  });

  it('refuses to create a key named like an API_KEYS one, to revoke an API_KEYS key, or to revoke an unknown key', async () => {
    expect((await api.as('admin').post('/v1/api-keys', { name: KEYS.viewer.name, role: 'viewer' }).expect(409)).body.code).toBe('API_KEY_NAME_TAKEN');
    expect((await api.as('admin').delete(`/v1/api-keys/${KEYS.viewer.name}`).expect(409)).body.code).toBe('API_KEY_FROM_ENVIRONMENT');
    expect((await api.as('admin').delete('/v1/api-keys/nobody').expect(404)).body.code).toBe('API_KEY_NOT_FOUND');
  });

  it('validates key creation: name alphabet and role', async () => {
    const res = await api.as('admin').post('/v1/api-keys', { name: 'has space', role: 'root' }).expect(400);
    expect(res.body.errors).toEqual([
      { field: 'name', message: 'name must be 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit' },
      { field: 'role', message: 'role must be one of the following values: viewer, operator, admin' },
    ]);
  });
});

describe('API_AUTH=disabled (loopback only)', () => {
  it('lets an anonymous caller act as admin and records "anonymous" as the actor', async () => {
    const h = await startCoordinatorHarness(['orders', 'payments', 'stock'], { API_AUTH: 'disabled', HTTP_HOST: '127.0.0.1' });
    try {
      await h.app.listen(0, '127.0.0.1');
      const { default: request } = await import('supertest');
      const http = request(h.app.getHttpServer());
      const def = orderDefinition();
      await http.post('/v1/definitions').send(def).expect(201);
      const started = await http.post('/v1/sagas').send({ definition: def.name, input: {} }).expect(201);
      const history = await h.pool.query("select actor from saga_history where saga_id = $1 and event_type = 'SagaStarted'", [started.body.sagaId]);
      expect(history.rows).toEqual([{ actor: 'anonymous' }]);
      // No key was created behind the user's back.
      expect((await h.pool.query('select count(*)::int as n from api_keys')).rows[0].n).toBe(0);
      await http.get(`/v1/sagas/${randomUUID()}`).expect(404);
      expect((await http.get('/v1/me').expect(200)).body).toEqual({ name: 'anonymous', role: 'admin', source: 'auth-disabled', actor: 'anonymous' });
    } finally {
      await h.close();
    }
  });
});
