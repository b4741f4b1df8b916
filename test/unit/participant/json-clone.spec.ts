import fc from 'fast-check';
import { cloneJson, type JsonValue } from '@saga-coordinator/participant/protocol';

function objectsOf(v: unknown, into: Set<object> = new Set()): Set<object> {
  if (v !== null && typeof v === 'object') {
    into.add(v);
    for (const item of Object.values(v)) objectsOf(item, into);
  }
  return into;
}

describe('cloneJson', () => {
  it('copies every JSON value whole and shares no object with it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const copy = cloneJson(v as JsonValue);
        expect(copy).toStrictEqual(v);
        const shared = [...objectsOf(copy)].filter((o) => objectsOf(v).has(o));
        expect(shared).toEqual([]);
      }),
    );
  });

  it('keeps a "__proto__" key as data, without touching the prototype', () => {
    const v = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}') as JsonValue;
    const copy = cloneJson(v) as { a: Record<string, unknown> };
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
    expect(Object.keys(copy.a)).toEqual(['__proto__', 'b']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(v));
  });
});
