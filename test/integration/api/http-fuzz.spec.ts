// Fuzzes the real coordinator (real PostgreSQL and Kafka) with malformed HTTP requests:
// broken bodies, headers, query strings, paths, encodings and methods, and garbage
// bytes, from a seeded generator (test/support/fuzz/http-requests.ts). What must hold:
// no answer >= 500, every 4xx a problem document with a stable, documented `code`, no
// error answer echoing a submitted value, nothing altered stored, and the service still
// serving valid requests afterwards.
//
// HTTP_FUZZ_COUNT (default 300) and HTTP_FUZZ_SEED replay or scale a run:
//   HTTP_FUZZ_COUNT=10000 HTTP_FUZZ_SEED=42 flock /tmp/heavy.lock npx jest test/integration/api/http-fuzz.spec.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawHttp, RawResponse } from '../../support/raw-http';
import { markersIn } from '../../support/fuzz/hostile-json';
import { fuzzRequest, FuzzRequest, FuzzTarget } from '../../support/fuzz/http-requests';
import { fuzzCount, fuzzSeed, SeededRandom } from '../../support/fuzz/seeded-random';
import { waitForSagaStatus } from '../../support/saga-waits';
import { ApiTestApp, KEYS, orderDefinition, startApiTestApp } from './support/api-test-app';

const COUNT = fuzzCount('HTTP_FUZZ_COUNT', 300);
const SEED = fuzzSeed('HTTP_FUZZ_SEED');
const CONCURRENCY = 4;
const DOCUMENTED = readFileSync(join(__dirname, '../../../docs/api.md'), 'utf8');

interface Finding {
  route: string;
  method: string;
  status: number | 'no answer';
  problem: string;
  request: string;
}

describe(`HTTP fuzz: ${COUNT} malformed requests (seed ${SEED})`, () => {
  let api: ApiTestApp;
  let port: number;
  const def = orderDefinition();
  const findings: Finding[] = [];
  const statuses = new Map<string, number>();
  const codes = new Map<string, number>();

  beforeAll(async () => {
    api = await startApiTestApp(['orders', 'payments', 'stock']);
    port = (api.h.app.getHttpServer().address() as { port: number }).port;
    await api.as('admin').post('/v1/definitions', def).expect(201);
    api.h.participants.on(def.name, (cmd) => (cmd.step === 'charge' && cmd.payload !== null && JSON.stringify(cmd.payload).includes('7') ? { outcome: 'failure', error: { message: 'declined' } } : { outcome: 'success', output: { ok: cmd.step } }));
  }, 120_000);

  afterAll(async () => {
    const top = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
    console.log(`HTTP fuzz, seed ${SEED}: ${COUNT} requests\n  statuses: ${top(statuses)}\n  codes: ${top(codes)}\n  findings: ${findings.length}`);
    await api?.close();
  });

  function check(req: FuzzRequest, res: RawResponse | undefined): void {
    const finding = (status: Finding['status'], problem: string) =>
      findings.push({ route: req.route, method: req.method, status, problem, request: req.raw.subarray(0, 300).toString('latin1') });
    if (!res) {
      if (!req.incomplete) finding('no answer', 'the server closed the connection without answering');
      return;
    }
    statuses.set(String(res.status), (statuses.get(String(res.status)) ?? 0) + 1);
    if (req.incomplete) statuses.set('incomplete', (statuses.get('incomplete') ?? 0) + 1);
    if (res.status >= 500) finding(res.status, `server error: ${res.body.slice(0, 200)}`);
    if (res.status < 400) return;
    if (!/^application\/problem\+json/.test(res.headers['content-type'] ?? '')) return void finding(res.status, `not a problem document (content-type ${res.headers['content-type']})`);
    if (req.method === 'HEAD') return; // no body, by HTTP's rules
    let problem: { status?: unknown; code?: unknown; instance?: unknown };
    try {
      problem = JSON.parse(res.body);
    } catch {
      return void finding(res.status, 'problem document is not JSON');
    }
    const code = typeof problem.code === 'string' ? problem.code : '(none)';
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (problem.status !== res.status) finding(res.status, `problem status ${String(problem.status)} differs from the HTTP status`);
    if (!/^[A-Z][A-Z0-9_]+$/.test(code) || !DOCUMENTED.includes(`\`${code}\``)) finding(res.status, `code ${code} is not a stable code documented in docs/api.md`);
    const { instance: _path, ...answer } = problem;
    const echoed = markersIn(JSON.stringify(answer)).filter((m) => req.markers.includes(m));
    if (echoed.length > 0) finding(res.status, `echoes submitted values ${echoed.join(', ')}: ${res.body.slice(0, 300)}`);
  }

  it(
    'answers every malformed request with a 4xx problem document and no echo, never with a 5xx',
    async () => {
      const rng = new SeededRandom(SEED);
      const sagas = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => api.as('operator').post('/v1/sagas', { definition: def.name, input: { n } }).expect(201)));
      const target: FuzzTarget = { keys: { viewer: KEYS.viewer.key, operator: KEYS.operator.key, admin: KEYS.admin.key }, definition: def.name, steps: ['createOrder', 'charge', 'reserve'], sagaIds: sagas.map((s) => s.body.sagaId) };
      // Generated up front, in order, so the seed alone fixes every request whatever the timing.
      const requests = Array.from({ length: COUNT }, () => fuzzRequest(rng, target));
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests.length) {
            const req = requests[next++];
            check(req, await rawHttp(port, req.raw, 30_000, req.incomplete ? 2_000 : undefined).catch(() => undefined));
          }
        }),
      );
      expect(findings.slice(0, 20)).toEqual([]);
      expect(statuses.size).toBeGreaterThan(3);
    },
    120_000 + COUNT * 60,
  );

  it('still serves valid requests, and stored nothing altered', async () => {
    await api.as('viewer').get('/v1/sagas?limit=5').expect(200);
    const started = await api.as('operator').post('/v1/sagas', { definition: def.name, input: { after: 'fuzz' } }).expect(201);
    await waitForSagaStatus(api.h.pool, started.body.sagaId, ['COMPLETED']);
    // The generator never sends U+FFFD: finding one means some input was silently altered on its way in.
    const altered = await api.h.pool.query(
      `select (select count(*) from saga_instances where input::text like '%\ufffd%' or coalesce(business_key, '') like '%\ufffd%' or coalesce(idempotency_key, '') like '%\ufffd%')::int as sagas,
              (select count(*) from saga_definitions where document::text like '%\ufffd%')::int as definitions,
              (select count(*) from saga_history where event::text like '%\ufffd%')::int as history`,
    );
    expect(altered.rows[0]).toEqual({ sagas: 0, definitions: 0, history: 0 });
  });
});
