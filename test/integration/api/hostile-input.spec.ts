// Hostile and broken requests, each of which once answered 500 or an empty 400: every
// one must get a 4xx problem document naming what is wrong, never echo what was sent,
// and store nothing. Also: unknown query parameters on every endpoint, and the limit on
// failed authentications.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { rawHttp } from '../../support/raw-http';
import { ApiTestApp, KEYS, orderDefinition, startApiTestApp } from './support/api-test-app';

const PROBLEM = /^application\/problem\+json/;

describe('hostile input to the REST API', () => {
  let api: ApiTestApp;
  let port: number;
  const def = orderDefinition();

  beforeAll(async () => {
    api = await startApiTestApp(['orders', 'payments', 'stock'], { API_AUTH_FAILURES_PER_MINUTE: '3' });
    port = (api.h.app.getHttpServer().address() as { port: number }).port;
    await api.as('admin').post('/v1/definitions', def).expect(201);
  });

  afterAll(async () => {
    await api?.close();
  });

  const countRows = async (table: 'saga_instances' | 'saga_history' | 'saga_definitions') => (await api.h.pool.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;
  const rawJson = (path: string, body: string, headers: Record<string, string> = {}) =>
    api.http.post(path).set('Authorization', `Bearer ${KEYS.admin.key}`).set('Content-Type', 'application/json').set(headers).send(body);

  it('refuses a body nested 5,000 deep with 400 naming the field, and stays up', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await rawJson('/v1/sagas', `{"definition":"${def.name}","input":${deep}}`).expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'input', message: 'input nests arrays and objects deeper than 64 levels' }] });
    await api.as('viewer').get('/v1/sagas').expect(200);
  });

  it('refuses a compressed body with 415, with or without a key', async () => {
    for (const auth of [{ Authorization: `Bearer ${KEYS.admin.key}` }, {}]) {
      const res = await api.http.post('/v1/sagas').set(auth).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(gzipSync(JSON.stringify({ definition: def.name, input: {} })));
      expect({ status: res.status, type: res.headers['content-type'], code: res.body.code }).toEqual({ status: 415, type: expect.stringMatching(PROBLEM), code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(res.body.detail).toBe('the request body must not be compressed (no Content-Encoding)');
    }
  });

  it('refuses a NUL character or a lone surrogate in any string bound for PostgreSQL, naming the field, and stores nothing', async () => {
    const sagaId = randomUUID();
    const before = { sagas: await countRows('saga_instances'), definitions: await countRows('saga_definitions') };
    const probes: { path: string; body: string; field: string; message: RegExp }[] = [
      { path: '/v1/sagas', body: `{"definition":"${def.name}","input":{"note":"a\\u0000b"}}`, field: 'input.note', message: /NUL/ },
      { path: '/v1/sagas', body: `{"definition":"${def.name}","input":{"a\\u0000":1}}`, field: 'input', message: /property name that contains a NUL/ },
      { path: '/v1/sagas', body: `{"definition":"${def.name}","input":["\\ud800"]}`, field: 'input[0]', message: /lone UTF-16 surrogate/ },
      { path: '/v1/sagas', body: `{"definition":"${def.name}","input":{},"businessKey":"k\\u0000"}`, field: 'businessKey', message: /NUL/ },
      { path: '/v1/definitions', body: JSON.stringify({ ...def, name: 'nul-def', description: 'x\u0000' }), field: 'description', message: /NUL/ },
      { path: `/v1/sagas/${sagaId}/cancel`, body: '{"reason":"why\\u0000"}', field: 'reason', message: /NUL/ },
      { path: `/v1/sagas/${sagaId}/steps/charge/override`, body: '{"as":"succeeded","output":{"t":"\\udc00"},"reason":"by hand"}', field: 'output.t', message: /lone UTF-16 surrogate/ },
      { path: '/v1/api-keys', body: '{"name":"ok","role":"viewer","x":"\\u0000"}', field: 'x', message: /NUL/ },
    ];
    for (const p of probes) {
      const res = await rawJson(p.path, p.body);
      expect({ path: p.path, status: res.status, code: res.body.code, errors: res.body.errors }).toEqual({ path: p.path, status: 400, code: 'VALIDATION_FAILED', errors: [{ field: p.field, message: expect.stringMatching(p.message) }] });
    }
    const query = await api.as('viewer').get('/v1/sagas?businessKey=a%00b').expect(400);
    expect(query.body.errors).toEqual([{ field: 'businessKey', message: 'businessKey contains a NUL character (U+0000)' }]);
    expect({ sagas: await countRows('saga_instances'), definitions: await countRows('saga_definitions') }).toEqual(before);
  });

  it('refuses numbers that are not finite (1e400) with 400 naming the field', async () => {
    const res = await rawJson('/v1/sagas', `{"definition":"${def.name}","input":{"amount":1e400,"n":[-1e999]}}`).expect(400);
    expect(res.body.errors).toEqual([
      { field: 'input.amount', message: 'input.amount must be a finite number (it does not fit a 64-bit floating point number)' },
      { field: 'input.n[0]', message: 'input.n[0] must be a finite number (it does not fit a 64-bit floating point number)' },
    ]);
  });

  it('refuses null for an optional field instead of reading it as absent', async () => {
    for (const field of ['status', 'definition', 'businessKey', 'sagaIds', 'createdFrom', 'createdTo']) {
      const res = await api.as('operator').post('/v1/bulk-operations', { operation: 'cancel', reason: 'r', filter: { [field]: null } });
      expect({ field, status: res.status, errors: res.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ field, status: 400, errors: expect.arrayContaining([`filter.${field}`]) });
    }
    for (const field of ['dryRun', 'limit', 'cursor', 'step']) {
      const res = await api.as('operator').post('/v1/bulk-operations', { operation: 'retry', reason: 'r', filter: { definition: def.name }, [field]: null });
      expect({ field, status: res.status, errors: [...new Set(res.body.errors?.map((e: { field: string }) => e.field))] }).toEqual({ field, status: 400, errors: [field] });
    }
    for (const field of ['version', 'businessKey']) {
      const res = await api.as('operator').post('/v1/sagas', { definition: def.name, input: {}, [field]: null });
      expect({ field, status: res.status, errors: res.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ field, status: 400, errors: expect.arrayContaining([field]) });
    }
  });

  it('refuses a cursor that decodes to an instant that does not exist, and offsets PostgreSQL cannot read', async () => {
    for (const createdAt of ['2026-02-30T00:00:00.000000Z', '2026-01-01T24:00:00.000000Z', '0000-01-01T00:00:00.000000Z']) {
      const cursor = Buffer.from(JSON.stringify([createdAt, randomUUID()])).toString('base64url');
      const list = await api.as('viewer').get(`/v1/sagas?cursor=${cursor}`).expect(400);
      expect(list.body.errors).toEqual([{ field: 'cursor', message: 'cursor is not a cursor returned by this API (use nextCursor of the previous page)' }]);
      const bulk = await api.as('operator').post('/v1/bulk-operations', { operation: 'cancel', reason: 'r', filter: { definition: def.name }, cursor }).expect(400);
      expect(bulk.body.code).toBe('VALIDATION_FAILED');
    }
    for (const at of ['2026-01-01T10:00:00+23:00', '2026-01-01T10:00:00-16:00', '2026-01-01T25:00:00Z']) {
      const res = await api.as('viewer').get(`/v1/sagas?createdFrom=${encodeURIComponent(at)}`).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('createdFrom');
    }
  });

  it('answers what the HTTP parser refuses (a raw "…" in the URL, bad headers, an unknown method) with a problem document', async () => {
    const auth = `Authorization: Bearer ${KEYS.viewer.key}\r\n`;
    const requests: { request: Buffer | string; status: number; code: string }[] = [
      { request: Buffer.concat([Buffer.from('GET /v1/sagas?cursor=WyIyMDI2LTA1LTAxVDEy'), Buffer.from('…'), Buffer.from(` HTTP/1.1\r\nHost: x\r\n${auth}\r\n`)]), status: 400, code: 'MALFORMED_REQUEST' },
      { request: `GET /v1/sagas HTTP/1.1\r\nHost: x\r\nX-Bad\x01: y\r\n\r\n`, status: 400, code: 'MALFORMED_REQUEST' },
      { request: `BREW /v1/sagas HTTP/1.1\r\nHost: x\r\n\r\n`, status: 400, code: 'MALFORMED_REQUEST' },
      { request: `POST /v1/sagas HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400, code: 'MALFORMED_REQUEST' },
      { request: `GET /v1/sagas HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`, status: 431, code: 'REQUEST_HEADERS_TOO_LARGE' },
      { request: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n', status: 400, code: 'MALFORMED_REQUEST' },
    ];
    for (const r of requests) {
      const res = await rawHttp(port, r.request);
      expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status: r.status, type: expect.stringMatching(PROBLEM) });
      expect(JSON.parse(res.body)).toMatchObject({ status: r.status, code: r.code, type: `urn:saga-coordinator:problem:${r.code.toLowerCase().replace(/_/g, '-')}` });
    }
    await api.as('viewer').get('/v1/sagas').expect(200);
  });

  it('refuses an unknown query parameter on every /v1 endpoint, naming it', async () => {
    const doc = await api.http.get('/docs-json').expect(200);
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method as 'get' | 'post' | 'delete', path })));
    // Every endpoint of the OpenAPI document, however many there are.
    expect(operations.length).toBeGreaterThan(15);
    for (const { method, path } of operations) {
      const url = path.replace('{name}', def.name).replace('{sagaId}', randomUUID()).replace('{step}', 'charge').replace('{version}', '1');
      const res = await api.http[method](`${url}?sortt=asc`).set('Authorization', `Bearer ${KEYS.admin.key}`).send(method === 'post' ? { reason: 'r' } : undefined);
      expect({ route: `${method} ${path}`, status: res.status, errors: res.body.errors }).toEqual({
        route: `${method} ${path}`,
        status: 400,
        errors: expect.arrayContaining([{ field: 'sortt', message: 'property sortt should not exist' }]),
      });
    }
  });

  it('never echoes a submitted value in an error answer', async () => {
    const marker = (n: number) => `echo-${n}-${randomUUID().slice(0, 8)}`;
    const m = Array.from({ length: 8 }, (_, i) => marker(i));
    await api.as('operator').post('/v1/sagas', { definition: def.name, input: { a: 1 } }).set('Idempotency-Key', m[0]).expect(201);
    const answers = [
      await api.as('operator').post('/v1/sagas', { definition: def.name, input: { a: 2 } }).set('Idempotency-Key', m[0]), // 409 conflict
      await api.as('operator').post('/v1/sagas', { definition: m[1], input: {} }), // 404 definition
      await api.as('operator').post('/v1/sagas', { definition: def.name, version: 99, input: {}, businessKey: m[2] }), // 404 version
      await api.as('admin').post('/v1/definitions', { name: m[3], steps: [{ name: m[4], participant: 'p', command: 'c' }, { name: m[4], participant: 'p', command: 'c', input: `$.steps.${m[5]}.output` }] }), // 400 definition
      await api.as('operator').post('/v1/sagas').set('Content-Type', `text/${m[6]}`).send('x'), // 415
      await api.as('admin').post('/v1/api-keys', { name: KEYS.viewer.name, role: 'viewer' }), // 409
    ];
    const started = await api.as('operator').post('/v1/sagas', { definition: def.name, input: {} }).expect(201);
    answers.push(await api.as('operator').post(`/v1/sagas/${started.body.sagaId}/retry`, { step: m[7], reason: 'r' })); // 404 unknown step
    expect(answers.map((a) => a.status)).toEqual([409, 404, 404, 400, 415, 409, 404]);
    for (const a of answers) {
      expect(a.headers['content-type']).toMatch(PROBLEM);
      for (const value of m) expect({ status: a.status, echoes: a.text.includes(value) }).toEqual({ status: a.status, echoes: false });
    }
  });

  it('limits failed authentications per client: 429 with Retry-After once they are used up, a valid key never refused', async () => {
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 5; i++) {
      const res = await api.http.get('/v1/sagas').set('Authorization', `Bearer wrong-key-${i}-0123456789abcdef`);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    // The earlier tests of this file used no wrong key, so the budget of 3 is whole here.
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(limited!.headers['content-type']).toMatch(PROBLEM);
    expect(limited!.body).toMatchObject({ status: 429, code: 'TOO_MANY_FAILED_AUTHENTICATIONS' });
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await api.http.get('/v1/sagas').expect(429)).body.code).toBe('TOO_MANY_FAILED_AUTHENTICATIONS');
    await api.as('viewer').get('/v1/sagas').expect(200);
    await api.http.get('/health').expect(200);
  });
});
