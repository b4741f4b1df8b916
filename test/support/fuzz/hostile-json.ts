// Hostile values for fuzz tests: strings PostgreSQL cannot store, injection and
// traversal payloads, numbers JSON.parse turns into Infinity, nesting that overflows
// recursive code, property names like __proto__. JSON text is written by hand here
// because JSON.stringify can produce neither 1e400 nor 5,000 levels of nesting.
import type { SeededRandom } from './seeded-random';

/** A value that serialises as the given JSON text, verbatim. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type HostileJson = null | boolean | number | string | RawJson | HostileJson[] | { [key: string]: HostileJson };

/**
 * Strings submitted to the API or the broker embed markers: a marker must never come
 * back in an error answer. Long enough that no message contains one by chance.
 */
export function marker(rng: SeededRandom): string {
  return `mk${rng.int(0, 36 ** 6).toString(36).padStart(6, '0')}q`;
}

const FIXED_STRINGS = [
  '',
  ' ',
  'a',
  'order',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '\udbff\u0000',
  '🎉',
  'é',
  '\u202e',
  '\ufeff',
  '\r\n',
  '\\',
  '"',
  "'",
  '%00',
  '%zz',
  "'; drop table saga_instances; --",
  '" or 1=1 --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  'null',
  'true',
  '1e400',
  'NaN',
  '-0',
  '2147483648',
  '2026-02-30T00:00:00Z',
  '2026-01-01T10:00:00+23:00',
  '0000-01-01',
  'RUNNING,FOO',
  '__proto__',
  'constructor',
];

/** A hostile string; U+FFFD is never produced, so finding one in the database means something was altered. */
export function hostileString(rng: SeededRandom): string {
  return rng.weighted<() => string>([
    [6, () => rng.pick(FIXED_STRINGS)],
    [3, () => marker(rng)],
    [2, () => `${rng.pick(FIXED_STRINGS)}${marker(rng)}${rng.pick(FIXED_STRINGS)}`],
    [2, () => randomUnicode(rng, rng.int(1, 40))],
    [1, () => 'x'.repeat(rng.pick([99, 100, 101, 200, 201, 300, 301, 1000, 10_001]))],
    [1, () => marker(rng).repeat(rng.int(50, 5000))],
  ])();
}

function randomUnicode(rng: SeededRandom, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const cp = rng.weighted<() => number>([
      [4, () => rng.int(0x20, 0x7e)],
      [1, () => rng.int(0, 0x1f)],
      [1, () => rng.int(0x80, 0xd7ff)],
      [1, () => rng.int(0xd800, 0xdfff)],
      [1, () => rng.int(0xe000, 0xfffc)],
      [1, () => rng.int(0x10000, 0x10ffff)],
    ])();
    s += cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return s;
}

const HOSTILE_NUMBERS = ['1e400', '-1e400', '1e-400', '-0', '0', '1.5', '2147483647', '2147483648', '-2147483649', '9007199254740993', '1e308', '123456789012345678901234567890'];

export function hostileNumber(rng: SeededRandom): HostileJson {
  return rng.chance(0.5) ? new RawJson(rng.pick(HOSTILE_NUMBERS)) : rng.pick([0, 1, -1, 3, 1000, 0.5]);
}

export function deepNesting(rng: SeededRandom): RawJson {
  const depth = rng.pick([63, 64, 65, 100, 1000, 5000, 20_000]);
  const open = rng.chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return new RawJson(open.repeat(depth) + '1' + close.repeat(depth));
}

/** A random hostile JSON value, at most `depth` levels of containers (plus the occasional deep RawJson). */
export function hostileJson(rng: SeededRandom, depth = 3): HostileJson {
  return rng.weighted<() => HostileJson>([
    [4, () => hostileString(rng)],
    [2, () => hostileNumber(rng)],
    [1, () => rng.pick([true, false, null])],
    [depth > 0 ? 2 : 0, () => Array.from({ length: rng.int(0, 4) }, () => hostileJson(rng, depth - 1))],
    [depth > 0 ? 3 : 0, () => hostileObject(rng, depth - 1)],
    [0.3, () => deepNesting(rng)],
  ])();
}

export function hostileObject(rng: SeededRandom, depth = 2): { [key: string]: HostileJson } {
  const out: { [key: string]: HostileJson } = {};
  for (let i = rng.int(0, 4); i > 0; i--) {
    const key = rng.chance(0.7) ? rng.pick(['a', 'id', 'amount', 'name', '__proto__', 'constructor', '']) : hostileString(rng);
    // defineProperty: a plain assignment to '__proto__' would set the prototype, not a property.
    Object.defineProperty(out, key, { value: hostileJson(rng, depth), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** JSON text for a hostile value: RawJson verbatim, strings escaped as JSON.stringify does (lone surrogates as \\udXXX). */
export function toJsonText(value: HostileJson): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  return JSON.stringify(value);
}

/** Every marker in a text. */
export function markersIn(text: string): string[] {
  return text.match(/mk[0-9a-z]{6}q/g) ?? [];
}
