// Saga definitions through the API: register (idempotent, versioned, every problem
// reported), list, latest, versions, one version, and their validation errors.
import { ApiTestApp, orderDefinition, startApiTestApp, uniqueDefinitionName } from './support/api-test-app';

describe('/v1/definitions', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('registers a new definition as version 1 with 201 and a Location, and an identical document again as the same version with 200', async () => {
    const def = orderDefinition();
    const first = await api.as('admin').post('/v1/definitions', def).expect(201);
    expect(first.headers.location).toBe(`/v1/definitions/${def.name}/versions/1`);
    expect(first.body).toMatchObject({ name: def.name, version: 1, created: true, description: null, document: def });
    expect(first.body.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.body.normalized.stages).toHaveLength(3);
    expect(new Date(first.body.createdAt).getTime()).not.toBeNaN();

    // The same document, its keys in another order, is the same definition.
    const reordered = Object.fromEntries(Object.entries(def).reverse());
    const again = await api.as('admin').post('/v1/definitions', reordered).expect(200);
    expect(again.headers.location).toBe(`/v1/definitions/${def.name}/versions/1`);
    expect(again.body).toMatchObject({ name: def.name, version: 1, created: false, contentHash: first.body.contentHash });
    const rows = await api.h.pool.query('select version from saga_definitions where name = $1', [def.name]);
    expect(rows.rows).toEqual([{ version: 1 }]);
  });

  it('stores a changed document as the next version; latest, versions and each version read back', async () => {
    const v1 = orderDefinition();
    const v2 = { ...v1, description: 'now with a description' };
    await api.as('admin').post('/v1/definitions', v1).expect(201);
    const second = await api.as('admin').post('/v1/definitions', v2).expect(201);
    expect(second.body).toMatchObject({ version: 2, created: true, description: 'now with a description' });
    expect(second.headers.location).toBe(`/v1/definitions/${v1.name}/versions/2`);

    const latest = await api.as('viewer').get(`/v1/definitions/${v1.name}`).expect(200);
    expect(latest.body).toMatchObject({ name: v1.name, version: 2, document: v2 });
    const one = await api.as('viewer').get(`/v1/definitions/${v1.name}/versions/1`).expect(200);
    expect(one.body).toMatchObject({ name: v1.name, version: 1, document: v1, description: null });
    const versions = await api.as('viewer').get(`/v1/definitions/${v1.name}/versions`).expect(200);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions.body.items[0]).toEqual({ name: v1.name, version: 1, contentHash: one.body.contentHash, description: null, createdAt: one.body.createdAt, deprecatedAt: null, sagas: { running: 0, failed: 0, finished: 0 } });

    const list = await api.as('viewer').get('/v1/definitions').expect(200);
    const mine = list.body.items.filter((d: { name: string }) => d.name === v1.name);
    expect(mine).toEqual([{ name: v1.name, version: 2, contentHash: second.body.contentHash, description: 'now with a description', createdAt: second.body.createdAt }]);
  });

  it('refuses an invalid document with 400 INVALID_DEFINITION listing every problem with its path, and stores nothing', async () => {
    const res = await api
      .as('admin')
      .post('/v1/definitions', { name: '9bad', steps: [{ name: 'a', participant: 'p', command: 'c', compensaton: 'x', retry: { maxAttempts: 0 } }, { name: 'a', participant: 'p' }] })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'INVALID_DEFINITION' });
    expect(res.body.errors).toEqual([
      { field: 'name', message: "'…' must start with a letter and contain only letters, digits, '_', '.' or '-' (at most 100 characters)" },
      { field: 'steps[0].compensaton', message: "unknown property 'compensaton' (allowed: name, participant, command, compensation, pivot, retry, timeoutMs, input, when)" },
      { field: 'steps[0].retry.maxAttempts', message: 'must be a positive integer' },
      { field: 'steps[1].command', message: 'is required' },
      { field: 'steps[1].name', message: "duplicate name '…' (already used at steps[0].name); step and group names are unique in a saga" },
    ]);
    expect((await api.h.pool.query("select count(*)::int as n from saga_definitions where name = '9bad'")).rows[0].n).toBe(0);
  });

  it('refuses a document whose inputSchema is not a valid JSON Schema, and a body that is not an object', async () => {
    const bad = await api.as('admin').post('/v1/definitions', { ...orderDefinition(), inputSchema: { type: 'no-such-type' } }).expect(400);
    expect(bad.body.code).toBe('INVALID_DEFINITION');
    expect(bad.body.errors).toEqual([{ field: 'inputSchema', message: expect.stringMatching(/^is not a valid JSON Schema: /) }]);
    const array = await api.as('admin').post('/v1/definitions', [orderDefinition()]).expect(400);
    expect(array.body.errors).toEqual([{ field: '(document)', message: 'a saga definition must be a JSON object' }]);
    const empty = await api.as('admin').post('/v1/definitions').expect(400);
    expect(empty.body.code).toBe('INVALID_DEFINITION');
  });

  it('answers 404 DEFINITION_NOT_FOUND for an unknown name or version', async () => {
    const name = uniqueDefinitionName('nothing');
    const latest = await api.as('viewer').get(`/v1/definitions/${name}`).expect(404);
    expect(latest.body).toMatchObject({ code: 'DEFINITION_NOT_FOUND', detail: `no saga definition named '${name}'` });
    expect((await api.as('viewer').get(`/v1/definitions/${name}/versions`).expect(404)).body.code).toBe('DEFINITION_NOT_FOUND');
    const def = orderDefinition();
    await api.as('admin').post('/v1/definitions', def).expect(201);
    const version = await api.as('viewer').get(`/v1/definitions/${def.name}/versions/7`).expect(404);
    expect(version.body).toMatchObject({ code: 'DEFINITION_NOT_FOUND', detail: `saga definition '${def.name}' has no version 7` });
  });

  it('refuses malformed path parameters with 400 naming the field', async () => {
    const name = await api.as('viewer').get('/v1/definitions/no%20spaces').expect(400);
    expect(name.body.errors).toEqual([{ field: 'name', message: 'name must be a definition name: a letter, then up to 99 letters, digits, ".", "_" or "-"' }]);
    for (const v of ['0', 'abc', '1.5', '-2']) {
      const res = await api.as('viewer').get(`/v1/definitions/order/versions/${v}`).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['version']));
    }
  });
});
