// Retiring definition versions through the REST API: per-version counts, deprecation
// (starts without a version move on, starts naming it are refused), deletion only once
// nothing runs on a version.
import { waitForSagaStatus } from '../../support/saga-waits';
import type { Behaviour } from '../../support/test-participant';
import { ApiTestApp, startApiTestApp, uniqueDefinitionName } from './support/api-test-app';

describe('definition versions', () => {
  let api: ApiTestApp;
  const name = uniqueDefinitionName('retire');
  const doc = (description: string) => ({ name, description, steps: [{ name: 'work', participant: 'workers', command: 'work.do', compensation: 'work.undo', timeoutMs: 1_000, retry: { initialBackoffMs: 100, maxBackoffMs: 200 } }] });
  let holding = true;

  beforeAll(async () => {
    api = await startApiTestApp(['workers']);
    // Sagas whose input says so are not answered while `holding`: they keep running (retrying) on their version.
    api.h.participants.on(name, (cmd): ReturnType<Behaviour> => (holding && (cmd.payload as { hold?: boolean }).hold ? 'drop' : { outcome: 'success', output: {} }));
    await api.as('admin').post('/v1/definitions', doc('v1')).expect(201);
    await api.as('admin').post('/v1/definitions', doc('v2')).expect(201);
  });

  afterAll(async () => {
    await api?.close();
  });

  const start = (body: object) => api.as('operator').post('/v1/sagas', { definition: name, ...body });

  it('counts running, failed and finished sagas per version, deprecates, and deletes only what nothing runs on', async () => {
    const running = (await start({ version: 1, input: { hold: true } }).expect(201)).body.sagaId as string;
    const done = (await start({ input: {} }).expect(201)).body;
    expect(done.definition.version).toBe(2);
    expect(await waitForSagaStatus(api.h.pool, done.sagaId, ['COMPLETED'])).toBe('COMPLETED');

    const versions = await api.as('viewer').get(`/v1/definitions/${name}/versions`).expect(200);
    expect(versions.body.items.map((v: { version: number; deprecatedAt: string | null; sagas: object }) => [v.version, v.deprecatedAt, v.sagas])).toEqual([
      [1, null, { running: 1, failed: 0, finished: 0 }],
      [2, null, { running: 0, failed: 0, finished: 1 }],
    ]);

    // Deprecating v2: starts without a version go to v1, the latest that is not deprecated; naming v2 is refused.
    const deprecated = await api.as('admin').post(`/v1/definitions/${name}/versions/2/deprecate`).expect(200);
    expect(deprecated.body).toMatchObject({ version: 2, deprecatedAt: expect.any(String), sagas: { finished: 1 } });
    await api.as('admin').post(`/v1/definitions/${name}/versions/2/deprecate`).expect(200);
    await api.as('operator').post(`/v1/definitions/${name}/versions/2/deprecate`).expect(403);
    const moved = await start({ input: {} }).expect(201);
    expect(moved.body.definition.version).toBe(1);
    const refused = await start({ version: 2, input: {} }).expect(409);
    expect(refused.body).toMatchObject({ code: 'DEFINITION_VERSION_DEPRECATED', detail: expect.stringContaining('start version 1') });

    // v1 has a running saga: it cannot be deleted. v2 has only finished ones: it can, and its sagas stay readable.
    const inUse = await api.as('admin').delete(`/v1/definitions/${name}/versions/1`).expect(409);
    expect(inUse.body).toMatchObject({ code: 'DEFINITION_VERSION_IN_USE' });
    await api.as('admin').delete(`/v1/definitions/${name}/versions/2`).expect(204);
    await api.as('admin').delete(`/v1/definitions/${name}/versions/2`).expect(404);
    const after = await api.as('viewer').get(`/v1/definitions/${name}/versions`).expect(200);
    expect(after.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
    await api.as('viewer').get(`/v1/sagas/${done.sagaId}`).expect(200);
    expect((await start({ version: 2, input: {} }).expect(404)).body).toMatchObject({ code: 'DEFINITION_NOT_FOUND' });

    // Once the running saga has ended, v1 can go too.
    holding = false;
    expect(await waitForSagaStatus(api.h.pool, running, ['COMPLETED'])).toBe('COMPLETED');
    await waitForSagaStatus(api.h.pool, moved.body.sagaId, ['COMPLETED']);
    await api.as('admin').delete(`/v1/definitions/${name}/versions/1`).expect(204);
  });
});
