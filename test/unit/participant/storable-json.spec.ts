import fc from 'fast-check';
import { jsonTextExceedsDepth, MAX_JSON_DEPTH, storableText, unstorableJsonProblems, unstorableStringReason } from '@saga-coordinator/participant/protocol';

/** The oracle, written differently from the code under test: PostgreSQL refuses NUL, and jsonb refuses what is not well-formed UTF-16. */
const postgresCanStore = (s: string): boolean => !s.includes('\u0000') && (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** One UTF-16 unit or code point, biased towards the troublemakers. */
const hostileChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constant('\u0000') },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('"', '\\', '[', ']', '{', '}') },
);
const hostileString = fc.string({ unit: hostileChar, maxLength: 12 });
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  }
  return out;
}
function numbers(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => numbers(x, out));
  else if (v !== null && typeof v === 'object') Object.values(v).forEach((x) => numbers(x, out));
  return out;
}
function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...children.map(depthOf));
}
const nested = (levels: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
};

describe('storable JSON', () => {
  it('finds a problem exactly when some string or property name cannot be stored, or a number is not finite', () => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        const expectOk = strings(value).every(postgresCanStore) && numbers(value).every(Number.isFinite) && depthOf(value) <= MAX_JSON_DEPTH;
        expect(unstorableJsonProblems(value).length === 0).toBe(expectOk);
      }),
      { numRuns: 500 },
    );
  });

  it('names the path of the bad value, never the value itself', () => {
    const problems = unstorableJsonProblems({ input: { items: [{ name: 'ok' }, { name: 'SECRET\u0000' }], 'odd key': '\ud800' }, n: Infinity, ['k\u0000']: 1 });
    expect(problems).toEqual([
      { path: '', message: 'has a property name that contains a NUL character (U+0000)' },
      { path: 'input.items[1].name', message: 'contains a NUL character (U+0000)' },
      { path: 'input["odd key"]', message: 'contains a lone UTF-16 surrogate (not valid Unicode)' },
      { path: 'n', message: 'must be a finite number (it does not fit a 64-bit floating point number)' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('SECRET');
  });

  it('accepts well-formed surrogate pairs (emoji) and refuses each half alone', () => {
    expect(unstorableStringReason('🎉 ok')).toBeUndefined();
    expect(unstorableStringReason('🎉'.slice(0, 1))).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableStringReason('x' + '🎉'.slice(1))).toMatch(/lone UTF-16 surrogate/);
  });

  it('refuses nesting beyond the limit at the level that breaks it, and walks any depth without recursion', () => {
    expect(unstorableJsonProblems(nested(MAX_JSON_DEPTH))).toEqual([]);
    // Reported at the outermost member holding the nesting, not 64 levels down.
    expect(unstorableJsonProblems({ ok: 1, input: nested(MAX_JSON_DEPTH) })).toEqual([{ path: 'input', message: `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels` }]);
    expect(unstorableJsonProblems({ input: nested(MAX_JSON_DEPTH - 1) })).toEqual([]);
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    expect(unstorableJsonProblems(deep)).toHaveLength(1);
  });

  it('cuts long property names in paths, so a reason stays readable', () => {
    const [problem] = unstorableJsonProblems({ ['k'.repeat(10_000)]: 'x\u0000' });
    expect(problem.path).toBe(`["${'k'.repeat(63)}…"]`);
  });

  it('stops after maxProblems', () => {
    expect(unstorableJsonProblems(Array.from({ length: 1000 }, () => '\u0000'), { maxProblems: 3 })).toHaveLength(3);
  });

  it('measures the depth of JSON text as the parsed value has it, brackets inside strings aside', () => {
    fc.assert(
      fc.property(hostileJson, fc.integer({ min: 0, max: 6 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(jsonTextExceedsDepth(text, max)).toBe(depthOf(JSON.parse(text)) > max);
      }),
      { numRuns: 500 },
    );
    expect(jsonTextExceedsDepth('['.repeat(1_000_000))).toBe(true);
    expect(jsonTextExceedsDepth(JSON.stringify({ s: '['.repeat(1000) }))).toBe(false);
  });

  it('replaces what cannot be stored in a text meant for people', () => {
    fc.assert(fc.property(hostileString, (s) => expect(postgresCanStore(storableText(s))).toBe(true)));
    expect(storableText('a\u0000b\ud800c🎉')).toBe('a\ufffdb\ufffdc🎉');
  });
});
