// Malformed HTTP requests for the API fuzz test: each starts from a request to a real
// endpoint and breaks some of it — the method, the path, the query string, the headers,
// the encoding, the body — or is garbage outright. Returned as raw bytes, so that what
// no HTTP client library would send is sent too.
import { gzipSync } from 'node:zlib';
import { deepNesting, HostileJson, hostileJson, hostileNumber, hostileObject, hostileString, marker, RawJson, toJsonText } from './hostile-json';
import type { SeededRandom } from './seeded-random';

export interface FuzzTarget {
  /** API keys by role, valid. */
  keys: { viewer: string; operator: string; admin: string };
  definition: string;
  steps: string[];
  sagaIds: string[];
}

export interface FuzzRequest {
  /** What was sent, for the report: `POST /v1/sagas` before mutation. */
  route: string;
  method: string;
  raw: Buffer;
  /** Markers placed in the body, the query values or header values: none may come back in an error answer. */
  markers: string[];
  /** A Content-Length promised more bytes than were sent: the server may rightly wait, and give no answer when the client gives up. */
  incomplete: boolean;
}

interface Template {
  method: string;
  path: (t: FuzzTarget, rng: SeededRandom) => string;
  body?: (t: FuzzTarget, rng: SeededRandom) => Record<string, HostileJson>;
  query?: (t: FuzzTarget, rng: SeededRandom) => Record<string, string>;
}

const reason = () => ({ reason: 'fuzz' });
const uuid = (rng: SeededRandom) => {
  const h = rng.bytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const saga = (t: FuzzTarget, rng: SeededRandom) => (rng.chance(0.8) && t.sagaIds.length > 0 ? rng.pick(t.sagaIds) : uuid(rng));
const cursorOf = (rng: SeededRandom) =>
  Buffer.from(toJsonText([rng.pick(['2026-02-30T00:00:00.000000Z', '2026-05-01T12:00:00.000000Z', '9999-12-31T23:59:59.999999Z', hostileString(rng)]), rng.chance(0.5) ? uuid(rng) : hostileJson(rng, 1)])).toString('base64url');

const TEMPLATES: Template[] = [
  { method: 'GET', path: () => '/v1/definitions' },
  {
    method: 'POST',
    path: () => '/v1/definitions',
    body: (t, rng) => ({
      name: `${t.definition}-v${rng.int(0, 3)}`,
      steps: t.steps.map((name, i) => ({ name, participant: ['orders', 'payments', 'stock'][i % 3], command: `${name}.do`, compensation: `${name}.undo` })),
    }),
  },
  { method: 'GET', path: (t) => `/v1/definitions/${t.definition}` },
  { method: 'GET', path: (t) => `/v1/definitions/${t.definition}/versions` },
  { method: 'GET', path: (t, rng) => `/v1/definitions/${t.definition}/versions/${rng.pick(['1', '2', '0', '2147483648', '-1', '1.5', '1e3'])}` },
  { method: 'POST', path: () => '/v1/sagas', body: (t, rng) => ({ definition: t.definition, input: { orderId: marker(rng), amount: 3 }, businessKey: marker(rng) }) },
  {
    method: 'GET',
    path: () => '/v1/sagas',
    query: (t, rng) => {
      const q: Record<string, string> = {};
      if (rng.chance(0.5)) q.definition = t.definition;
      if (rng.chance(0.5)) q.status = rng.pick(['FAILED', 'RUNNING,COMPLETED', 'FOO', '', 'null']);
      if (rng.chance(0.3)) q.limit = rng.pick(['1', '200', '201', '0', '1e400', '-5', 'abc']);
      if (rng.chance(0.3)) q.cursor = cursorOf(rng);
      if (rng.chance(0.3)) q[rng.pick(['createdFrom', 'createdTo'])] = rng.pick(['2026-05-01', '2026-02-30', '2026-01-01T10:00:00+23:00', '0000-01-01', '2026-05-01T12:00:00Z']);
      if (rng.chance(0.2)) q.businessKey = hostileString(rng);
      return q;
    },
  },
  { method: 'GET', path: (t, rng) => `/v1/sagas/${saga(t, rng)}` },
  { method: 'POST', path: (t, rng) => `/v1/sagas/${saga(t, rng)}/cancel`, body: reason },
  { method: 'POST', path: (t, rng) => `/v1/sagas/${saga(t, rng)}/retry`, body: (t, rng) => ({ ...reason(), ...(rng.chance(0.5) ? { step: rng.pick(t.steps) } : {}) }) },
  { method: 'POST', path: (t, rng) => `/v1/sagas/${saga(t, rng)}/resume`, body: reason },
  { method: 'POST', path: (t, rng) => `/v1/sagas/${saga(t, rng)}/steps/${rng.pick(t.steps)}/override`, body: (_t, rng) => ({ as: rng.pick(['succeeded', 'compensated']), output: { ref: marker(rng) }, ...reason() }) },
  {
    method: 'POST',
    path: () => '/v1/bulk-operations',
    body: (t, rng) => ({ operation: rng.pick(['cancel', 'retry', 'resume']), filter: { definition: t.definition, status: ['FAILED'] }, reason: 'fuzz', dryRun: rng.chance(0.7), limit: rng.int(1, 5) }),
  },
  { method: 'POST', path: () => '/v1/api-keys', body: (_t, rng) => ({ name: `fz-${rng.int(0, 1e9)}`, role: rng.pick(['viewer', 'operator', 'admin']) }) },
  { method: 'GET', path: () => '/v1/api-keys' },
  { method: 'DELETE', path: (_t, rng) => `/v1/api-keys/${rng.pick(['test-viewer', 'nobody', `fz-${rng.int(0, 9)}`])}` },
  { method: 'GET', path: () => '/v1/participants' },
  // Breakers of participants the fuzzed sagas do not use: an open one would pause them.
  { method: 'POST', path: (_t, rng) => `/v1/participants/${rng.pick(['nobody', 'ghost'])}/breaker/${rng.pick(['open', 'close'])}`, body: reason },
  { method: 'GET', path: () => '/health' },
  { method: 'GET', path: () => '/health/ready' },
];

/** Endpoints that write to the database come up more often: that is where bad input hurts. */
const WEIGHTED_TEMPLATES: [number, Template][] = TEMPLATES.map((t) => [t.method === 'POST' ? 3 : t.query ? 3 : 1, t]);

export function fuzzRequest(rng: SeededRandom, target: FuzzTarget): FuzzRequest {
  const markers: string[] = [];
  const mark = () => {
    const m = marker(rng);
    markers.push(m);
    return m;
  };
  if (rng.chance(0.03)) {
    const raw = garbage(rng);
    // Empty lines before a request are ignored (RFC 9112 §2.2): only CRLFs is no request yet.
    return { route: 'garbage', method: '?', raw, markers, incomplete: /^(\r\n)*$/.test(raw.toString('latin1')) };
  }
  const template = rng.weighted(WEIGHTED_TEMPLATES);
  let method = template.method;
  let path = template.path(target, rng);
  const route = `${template.method} ${path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{sagaId}').replace(target.definition, '{name}')}`;
  const query = template.query?.(target, rng) ?? {};
  let body: string | Buffer | undefined = template.body ? toJsonText(template.body(target, rng)) : undefined;
  const headers: [string, string | Buffer][] = [['Host', 'localhost']];
  let auth: string | undefined = `Bearer ${rng.weighted<string>([
    [6, target.keys.admin],
    [1, target.keys.operator],
    [1, target.keys.viewer],
  ])}`;
  let contentType: string | undefined = body !== undefined ? 'application/json' : undefined;
  let encoding = 'plain' as 'plain' | 'gzip' | 'chunked' | 'bad-length';

  const mutations: [number, () => void][] = [
    [5, () => (body = mutateBody(rng, template, target, mark))],
    [2, () => (query[rng.pick(['x', 'sort', 'limit', 'status', 'definition', 'cursor', 'businessKey', '__proto__'])] = rng.chance(0.5) ? mark() : hostileString(rng))],
    [1, () => (query.cursor = cursorOf(rng))],
    [2, () => (path = mutatePath(rng, path))],
    [1, () => (method = rng.pick(['PUT', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE', 'GET', 'POST', 'get', 'BREW', 'M-SEARCH', 'PROPFIND']))],
    [2, () => (auth = rng.pick([undefined, 'Bearer wrong-key-0123456789abcdef', 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${mark()}`, `Bearer ${target.keys.admin} extra`, 'Bearer \u00e9t\u00e9-key-0123456789abcd']))],
    [2, () => (contentType = rng.pick([undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/merge-patch+json', `application/${mark()}`, 'multipart/form-data; boundary=x', '']))],
    [1, () => (encoding = rng.pick(['gzip', 'chunked', 'bad-length'] as const))],
    [2, () => headers.push(hostileHeader(rng, mark))],
  ];
  // Half the requests are valid but for one thing in the body or the query, so that they get
  // past authentication and validation and reach the services and the database; the rest
  // break a few things of any kind.
  rng.weighted<() => void>([
    [template.body ? 45 : 0, () => (body = mutateBody(rng, template, target, mark))],
    [template.query ? 15 : 0, () => mutations[1][1]()],
    [40, () => {
      for (let n = rng.int(1, 3); n > 0; n--) rng.weighted(mutations)();
    }],
  ])();
  if (rng.chance(0.03) && method === 'POST') body = Buffer.concat([Buffer.from('{"definition":"'), rng.bytes(rng.int(1, 64)), Buffer.from('"}')]);
  if (rng.chance(0.005)) body = `{"input":"${'x'.repeat(1_100_000)}"}`;

  const qs = Object.entries(query)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  let bodyBytes: Buffer | undefined = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  if (auth !== undefined) headers.push(['Authorization', auth]);
  if (contentType !== undefined) headers.push(['Content-Type', contentType]);
  let framing: [string, string][] = bodyBytes !== undefined ? [['Content-Length', String(bodyBytes.length)]] : [];
  if (bodyBytes !== undefined && encoding === 'gzip') {
    bodyBytes = rng.chance(0.7) ? gzipSync(bodyBytes) : rng.bytes(20);
    framing = [['Content-Encoding', rng.pick(['gzip', 'deflate', 'br', 'x-unknown'])], ['Content-Length', String(bodyBytes.length)]];
  } else if (bodyBytes !== undefined && encoding === 'chunked') {
    framing = [['Transfer-Encoding', 'chunked']];
    bodyBytes = Buffer.concat([Buffer.from(`${bodyBytes.length.toString(16)}\r\n`), bodyBytes, Buffer.from(rng.chance(0.8) ? '\r\n0\r\n\r\n' : '\r\nzz\r\n')]);
  } else if (bodyBytes !== undefined && encoding === 'bad-length') {
    framing = [['Content-Length', rng.pick([String(Math.max(0, bodyBytes.length - 3)), String(bodyBytes.length + 5), '-1', 'abc', `${bodyBytes.length}, ${bodyBytes.length}`])]];
  }
  const head = Buffer.concat([
    Buffer.from(`${method} ${path}${qs ? `?${qs}` : ''} HTTP/1.1\r\n`, 'latin1'),
    ...[...headers, ...framing, ['Connection', 'close'] as [string, string]].map(([k, v]) => Buffer.concat([Buffer.from(`${k}: `, 'latin1'), Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'), Buffer.from('\r\n')])),
    Buffer.from('\r\n'),
  ]);
  // The raw path may carry bytes outside latin1: re-encode the request line's path as UTF-8 then.
  const beyondLatin1 = [...path].some((c) => c.charCodeAt(0) > 0xff);
  const raw = Buffer.concat([beyondLatin1 ? Buffer.concat([Buffer.from(`${method} `), Buffer.from(`${path}${qs ? `?${qs}` : ''}`, 'utf8'), head.subarray(head.indexOf(' HTTP/1.1\r\n'))]) : head, bodyBytes ?? Buffer.alloc(0)]);
  const sent = bodyBytes?.length ?? 0;
  const promised = [...headers, ...framing].filter(([k]) => k.toLowerCase() === 'content-length').flatMap(([, v]) => String(v).match(/\d+/g) ?? []).map(Number);
  return { route, method, raw, markers, incomplete: promised.some((n) => n > sent) };
}

function mutateBody(rng: SeededRandom, template: Template, target: FuzzTarget, mark: () => string): string {
  const base: Record<string, HostileJson> = template.body?.(target, rng) ?? {};
  return rng.weighted<() => string>([
    [4, () => toJsonText(withField(rng, base, rng.chance(0.3) ? mark() : hostileJson(rng)))],
    [3, () => toJsonText(withField(rng, base, unstorable(rng, mark)))],
    [2, () => toJsonText(withField(rng, base, rng.pick<HostileJson>([null, deepNesting(rng), hostileNumber(rng), [], {}, hostileObject(rng)])))],
    [1, () => toJsonText(hostileJson(rng))],
    [1, () => toJsonText({ ...base, [rng.pick(['priority', 'extra', '__proto__', 'constructor'])]: mark() })],
    [1, () => toJsonText(base).slice(0, rng.int(0, Math.max(0, toJsonText(base).length - 1)))],
    [1, () => rng.pick(['', 'null', '[]', '"a string"', '42', '{', '}{', '\ufeff{}', '{"a":1,}', "{'a':1}", 'NaN', '{"a":1e400}', `{"x":"${'\\u0000'.repeat(10)}"}`])],
  ])();
}

/** What PostgreSQL or recursive code cannot take, alone or inside an otherwise fine value. */
function unstorable(rng: SeededRandom, mark: () => string): HostileJson {
  const bad = rng.pick<() => HostileJson>([
    () => `${mark()}\u0000`,
    () => `\ud800${mark()}`,
    () => mark().slice(0, 3) + '\udfff',
    () => new RawJson('1e400'),
    () => deepNesting(rng),
    () => ({ [`k\u0000${mark()}`]: 1 }),
  ])();
  return rng.pick<HostileJson>([bad, { ref: bad }, [mark(), bad], { a: { b: bad } }]);
}

/** The body with one field (present or new, at the top or one level down) replaced by `value`. */
function withField(rng: SeededRandom, base: Record<string, HostileJson>, value: HostileJson): Record<string, HostileJson> {
  const copy: Record<string, HostileJson> = JSON.parse(JSON.stringify(base, (_k, v) => (v instanceof RawJson ? null : v)));
  const keys = Object.keys(copy);
  const nested = keys.filter((k) => copy[k] !== null && typeof copy[k] === 'object' && !Array.isArray(copy[k]));
  if (nested.length > 0 && rng.chance(0.3)) {
    const inner = copy[rng.pick(nested)] as Record<string, HostileJson>;
    inner[rng.pick([...Object.keys(inner), 'status', 'sagaIds', 'createdFrom', 'unknown'])] = value;
  } else {
    copy[keys.length > 0 && rng.chance(0.8) ? rng.pick(keys) : rng.pick(['version', 'step', 'output', 'cursor', 'extra'])] = value;
  }
  return copy;
}

function mutatePath(rng: SeededRandom, path: string): string {
  return rng.weighted<() => string>([
    [2, () => path.replace(/[^/]+$/, (last) => rng.pick([percentEncode(hostileString(rng)), '%00', '%zz', '%', '%E2%80%A6', '..', '.', last + '/', last.toUpperCase()]))],
    [1, () => `${path}/${rng.pick(['x', '..', '%2e%2e', '%2F', ''])}`],
    [1, () => path.replace('/v1/', rng.pick(['/v2/', '/V1/', '//v1/', '/v1//', '/']))],
    [1, () => `${path}${rng.pick(['…', 'é', '\u0000', ' x', '\t', '#frag'])}`],
    [1, () => `/${'a'.repeat(rng.pick([100, 5000, 20_000]))}`],
    [1, () => rng.pick(['*', 'http://evil.example/v1/sagas', '/v1/sagas?', '/v1/sagas??', '/../../etc/passwd', ''])],
  ])();
}

function hostileHeader(rng: SeededRandom, mark: () => string): [string, string | Buffer] {
  return rng.weighted<() => [string, string | Buffer]>([
    [3, () => ['Idempotency-Key', rng.chance(0.5) ? mark() : hostileString(rng)]],
    [1, () => ['X-API-Key', rng.chance(0.5) ? mark() : '']],
    [1, () => ['X-Fuzz', Buffer.from([0xc3, 0x28, 0xe9, 0x00].slice(0, rng.int(1, 4)))]],
    [1, () => ['X-Long', 'a'.repeat(rng.pick([1000, 20_000]))]],
    [1, () => ['Expect', rng.pick(['100-continue', 'nonsense'])]],
    [1, () => ['Upgrade', 'websocket']],
    [1, () => ['Content-Length', '7']],
    [1, () => ['Bad Header Name', 'x']],
    [1, () => ['X-Forwarded-For', '1.2.3.4']],
  ])();
}

/** Percent-encoding that, unlike encodeURIComponent, accepts lone surrogates (as the 3 bytes WTF-8 gives them, which are not UTF-8). */
function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (/^[A-Za-z0-9_.~-]$/.test(ch)) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

function garbage(rng: SeededRandom): Buffer {
  return rng.weighted<() => Buffer>([
    [2, () => rng.bytes(rng.int(1, 200))],
    [1, () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
    [1, () => Buffer.from('GET / HTTP/9.9\r\n\r\n')],
    [1, () => Buffer.from('GET /v1/sagas\r\n\r\n')],
    [1, () => Buffer.from('\r\n\r\n\r\n')],
    [1, () => Buffer.from(`CONNECT localhost:5432 HTTP/1.1\r\nHost: localhost:5432\r\n\r\n`)],
  ])();
}
