/**
 * JSON values: the only data the core accepts, stores or produces, and all a message carries.
 *
 * Saga state is persisted as JSONB and reloaded, definitions are documents and
 * every message is JSON, so each value the core handles is one of these types
 * and nothing else: no `undefined`, Date, Map or class instance, which would be
 * silently dropped or changed by a round trip through the database.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);
export { hasOwn };

/**
 * An object literal or `JSON.parse` / `structuredClone` result, not an array or
 * class instance. Tested by prototype depth rather than identity with
 * `Object.prototype`, because values may come from another realm (vm contexts,
 * structuredClone under test runners) with its own Object.prototype.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** True when `value` survives `JSON.stringify` → `JSON.parse` unchanged (finite numbers, plain objects, no cycles). */
export function isJsonValue(value: unknown): value is JsonValue {
  return isJsonValueInner(value, []);
}

function isJsonValueInner(value: unknown, ancestors: object[]): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (ancestors.includes(value)) return false;
      const inner = [...ancestors, value];
      if (Array.isArray(value)) return value.every((item) => isJsonValueInner(item, inner));
      if (!isPlainObject(value)) return false;
      return Object.values(value).every((item) => isJsonValueInner(item, inner));
    }
    default:
      return false;
  }
}

/**
 * A deep copy of a JSON value, so results never share structure with (and cannot mutate) their sources.
 * Plain loops: the engine copies every saga state it decides on, and this is 7 times faster than
 * structuredClone and 8 times faster than the entries/fromEntries version it replaced (2 µs
 * against 14 and 17 for a 3-step state).
 */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = cloneJson(value[i]);
    return copy as T;
  }
  const copy: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) {
    const item = cloneJson((value as Record<string, JsonValue>)[key]);
    // Assigned, a "__proto__" key would change the copy's prototype instead of staying data.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy as T;
}
