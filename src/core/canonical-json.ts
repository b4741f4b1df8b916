// Canonical JSON text of a JSON value: what the definition registry hashes and the
// API compares start requests by.
import type { JsonValue } from '@saga-coordinator/participant/protocol';
import { InvalidArgumentError } from './errors';

/**
 * Serialises a JSON value with object keys sorted (by UTF-16 code units, as
 * RFC 8785 does) and no whitespace, so equal values always give equal text and
 * the text can be hashed. Throws on non-JSON input rather than guessing.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError('value', `${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}
