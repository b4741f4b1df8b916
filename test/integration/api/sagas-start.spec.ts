// POST /v1/sagas: starting, versions, input schemas, validation, and idempotency —
// sequential retries, reuse of a key for another request, and many parallel retries.
import { waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { ApiTestApp, KEYS, orderDefinition, startApiTestApp } from './support/api-test-app';

describe('POST /v1/sagas', () => {
  let api: ApiTestApp;
  const def = orderDefinition();
  const typed = orderDefinition(undefined, {
    inputSchema: { type: 'object', required: ['orderId', 'amount'], properties: { orderId: { type: 'string' }, amount: { type: 'number', minimum: 1 } } },
  });

  beforeAll(async () => {
    api = await startApiTestApp(['orders', 'payments', 'stock']);
    await api.as('admin').post('/v1/definitions', def).expect(201);
    await api.as('admin').post('/v1/definitions', typed).expect(201);
  });

  afterAll(async () => {
    await api?.close();
  });

  const countSagas = async (where: string, values: unknown[]) => (await api.h.pool.query(`select count(*)::int as n from saga_instances where ${where}`, values)).rows[0].n as number;

  it('starts a saga: 201, Location, the summary, durable with the caller recorded as actor, and it runs', async () => {
    const res = await api.as('operator').post('/v1/sagas', { definition: def.name, input: { orderId: 'o-1', amount: 5 }, businessKey: 'order-o-1' }).expect(201);
    const sagaId: string = res.body.sagaId;
    expect(res.headers.location).toBe(`/v1/sagas/${sagaId}`);
    expect(res.body).toEqual({
      sagaId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      definition: { name: def.name, version: 1 },
      status: 'RUNNING',
      businessKey: 'order-o-1',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      finishedAt: null,
      created: true,
    });
    const row = await api.h.pool.query('select input, business_key, idempotency_key from saga_instances where saga_id = $1', [sagaId]);
    expect(row.rows).toEqual([{ input: { orderId: 'o-1', amount: 5 }, business_key: 'order-o-1', idempotency_key: `business-key:${def.name}:order-o-1` }]);
    const history = await api.h.pool.query('select event_type, actor from saga_history where saga_id = $1 order by id limit 1', [sagaId]);
    expect(history.rows).toEqual([{ event_type: 'SagaStarted', actor: `api-key:${KEYS.operator.name}` }]);
    expect(await waitForSagaStatus(api.h.pool, sagaId, ['COMPLETED', 'COMPENSATED', 'FAILED'])).toBe('COMPLETED');
  });

  it('starts on the requested version, and on the latest without one', async () => {
    const versioned = orderDefinition();
    await api.as('admin').post('/v1/definitions', versioned).expect(201);
    await api.as('admin').post('/v1/definitions', { ...versioned, description: 'v2' }).expect(201);
    const v1 = await api.as('operator').post('/v1/sagas', { definition: versioned.name, version: 1, input: {} }).expect(201);
    expect(v1.body.definition).toEqual({ name: versioned.name, version: 1 });
    const latest = await api.as('operator').post('/v1/sagas', { definition: versioned.name, input: {} }).expect(201);
    expect(latest.body.definition).toEqual({ name: versioned.name, version: 2 });
  });

  it('answers 404 DEFINITION_NOT_FOUND for an unknown definition or version, and starts nothing', async () => {
    const before = await countSagas('true', []);
    const unknown = await api.as('operator').post('/v1/sagas', { definition: 'no-such-saga', input: {} }).expect(404);
    expect(unknown.body).toMatchObject({ status: 404, code: 'DEFINITION_NOT_FOUND', detail: "no saga definition named '…'" }); // never echoes what was sent
    const version = await api.as('operator').post('/v1/sagas', { definition: def.name, version: 9, input: {} }).expect(404);
    expect(version.body).toMatchObject({ code: 'DEFINITION_NOT_FOUND', detail: "saga definition '…' has no version 9" });
    expect(await countSagas('true', [])).toBe(before);
  });

  it("answers 400 INVALID_SAGA_INPUT, naming each problem, for input that fails the definition's inputSchema, and starts nothing", async () => {
    const res = await api.as('operator').post('/v1/sagas', { definition: typed.name, input: { amount: 0 }, businessKey: 'typed-bad' }).expect(400);
    expect(res.body).toMatchObject({ status: 400, code: 'INVALID_SAGA_INPUT' });
    expect(res.body.errors).toEqual([
      { field: 'input', message: "must have required property 'orderId'" },
      { field: 'input/amount', message: 'must be >= 1' },
    ]);
    expect(await countSagas('business_key = $1', ['typed-bad'])).toBe(0);
    await api.as('operator').post('/v1/sagas', { definition: typed.name, input: { orderId: 'x', amount: 3 } }).expect(201);
  });

  it('answers 400 INVALID_SAGA_INPUT for an input whose first command Kafka would refuse, and starts nothing', async () => {
    const before = await countSagas('definition_name = $1', [def.name]);
    const huge = { orderId: 'o-big', amount: 1, notes: 'x'.repeat(950 * 1024) };
    const res = await api.http.post('/v1/sagas').set('Authorization', `Bearer ${KEYS.operator.key}`).set('Content-Type', 'application/json').send(JSON.stringify({ definition: def.name, input: huge })).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_SAGA_INPUT', errors: [{ field: 'input', message: expect.stringContaining('too large') }] });
    expect(await countSagas('definition_name = $1', [def.name])).toBe(before);
  });

  it('answers 400 VALIDATION_FAILED listing every bad field', async () => {
    const res = await api.as('operator').post('/v1/sagas', { definition: 'has space', version: '2', businessKey: '' }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'definition', message: 'definition must be a definition name: a letter, then up to 99 letters, digits, ".", "_" or "-"' },
        { field: 'version', message: 'version must be an integer number' },
        { field: 'input', message: 'input is required (any JSON value, e.g. {})' },
        { field: 'businessKey', message: 'businessKey must be longer than or equal to 1 characters' },
      ]),
    );
    expect(res.body.errors).toHaveLength(6); // version also breaks its minimum and maximum
    const key = await api.as('operator').post('/v1/sagas', { definition: def.name, input: {} }).set('Idempotency-Key', 'k'.repeat(201)).expect(400);
    expect(key.body.errors).toEqual([{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-200 printable ASCII characters' }]);
  });

  it('returns the same saga to a retried request with the same Idempotency-Key: 200, same Location, nothing new', async () => {
    const body = { definition: def.name, input: { orderId: 'o-retry' } };
    const first = await api.as('operator').post('/v1/sagas', body).set('Idempotency-Key', 'retry-key-1').expect(201);
    const second = await api.as('operator').post('/v1/sagas', body).set('Idempotency-Key', 'retry-key-1').expect(200);
    expect(second.body).toMatchObject({ sagaId: first.body.sagaId, created: false });
    expect(second.headers.location).toBe(first.headers.location);
    expect(await countSagas('idempotency_key = $1', ['retry-key-1'])).toBe(1);
  });

  it('refuses a key reused for a different request with 409 IDEMPOTENCY_KEY_CONFLICT naming the saga', async () => {
    const first = await api.as('operator').post('/v1/sagas', { definition: def.name, input: { orderId: 'a' } }).set('Idempotency-Key', 'reused-key').expect(201);
    const conflict = await api.as('operator').post('/v1/sagas', { definition: def.name, input: { orderId: 'b' } }).set('Idempotency-Key', 'reused-key').expect(409);
    expect(conflict.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_CONFLICT', sagaId: first.body.sagaId });
    expect(conflict.body.detail).toBe(`the Idempotency-Key was already used to start saga ${first.body.sagaId} with a different request; use a new key for a different saga`);
    // Key order inside the input does not make a different request.
    await api.as('operator').post('/v1/sagas', { input: { orderId: 'a' }, definition: def.name }).set('Idempotency-Key', 'reused-key').expect(200);
  });

  it('without a header, makes the business key idempotent per definition', async () => {
    const first = await api.as('operator').post('/v1/sagas', { definition: def.name, input: {}, businessKey: 'bk-1' }).expect(201);
    const again = await api.as('operator').post('/v1/sagas', { definition: def.name, input: {}, businessKey: 'bk-1' }).expect(200);
    expect(again.body.sagaId).toBe(first.body.sagaId);
    const other = await api.as('operator').post('/v1/sagas', { definition: typed.name, input: { orderId: 'x', amount: 1 }, businessKey: 'bk-1' }).expect(201);
    expect(other.body.sagaId).not.toBe(first.body.sagaId);
    const changed = await api.as('operator').post('/v1/sagas', { definition: def.name, input: { different: true }, businessKey: 'bk-1' }).expect(409);
    expect(changed.body.detail).toMatch(`the business key was already used to start saga ${first.body.sagaId}`);
  });

  it.each([
    ['an Idempotency-Key header', (n: number) => ({ headers: { 'Idempotency-Key': `parallel-${n}` }, body: { definition: def.name, input: { n } } })],
    ['a business key', (n: number) => ({ headers: {}, body: { definition: def.name, input: { n }, businessKey: `parallel-bk-${n}` } })],
  ])('creates exactly one saga for 30 parallel requests with %s', async (_, request) => {
    const n = Date.now();
    const { headers, body } = request(n);
    const responses = await Promise.all(Array.from({ length: 30 }, () => api.as('operator').post('/v1/sagas', body).set(headers)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(29);
    const ids = new Set(responses.map((r) => r.body.sagaId));
    expect(ids.size).toBe(1);
    const [sagaId] = ids;
    expect(new Set(responses.map((r) => r.headers.location))).toEqual(new Set([`/v1/sagas/${sagaId}`]));
    expect(await countSagas(`input = $1::jsonb`, [JSON.stringify({ n })])).toBe(1);
    const started = await api.h.pool.query("select count(*)::int as n from saga_history where saga_id = $1 and event_type = 'SagaStarted'", [sagaId]);
    expect(started.rows[0].n).toBe(1);
    // One saga means one first command, however many requests raced.
    await waitForSagaStatus(api.h.pool, sagaId as string, ['COMPLETED']);
    const firstSteps = await waitFor('the first step to have run', async () => {
      const cmds = api.h.participants.commandsOf(sagaId as string).filter((c) => c.step === 'createOrder' && c.action === 'execute');
      return cmds.length > 0 ? cmds : undefined;
    });
    expect(firstSteps.map((c) => c.attempt)).toEqual([1]);
  });
});
