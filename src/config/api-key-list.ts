// The API_KEYS variable: API keys configured from the environment, each with a name
// (the actor recorded in saga history) and a role. Parsed here, once, at boot; every
// message about a bad entry names the entry by position and never repeats a secret.
import { createHash } from 'node:crypto';

export const API_ROLES = ['viewer', 'operator', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** Key names end up in saga history as actors: a narrow alphabet, no ':' (actors are `kind:name`). */
export const API_KEY_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,63}$/;
/** A plaintext key: long enough to be random rather than a password, in a URL- and header-safe alphabet. */
export const API_KEY_SECRET_PATTERN = /^[A-Za-z0-9._~+/=-]{20,512}$/;
const HASHED_SECRET = /^sha256:([0-9a-fA-F]{64})$/;

export interface ConfiguredApiKey {
  name: string;
  role: ApiRole;
  /** Hex SHA-256 of the key: the plaintext is not kept once parsed. */
  keyHash: string;
}

export type ApiKeyListResult = { ok: true; keys: ConfiguredApiKey[] } | { ok: false; problems: string[] };

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Parses `name:role:key[,name:role:key…]`. `key` is the key itself, or `sha256:<hex>`
 * (its SHA-256), so that the environment need not hold the plaintext.
 */
export function parseApiKeyList(value: string): ApiKeyListResult {
  const problems: string[] = [];
  const keys: ConfiguredApiKey[] = [];
  const entries = value.split(',').map((e) => e.trim());
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const first = entry.indexOf(':');
    const second = first < 0 ? -1 : entry.indexOf(':', first + 1);
    if (first < 0 || second < 0) {
      problems.push(`${where} must be name:role:key`);
      return;
    }
    const name = entry.slice(0, first);
    const role = entry.slice(first + 1, second);
    const secret = entry.slice(second + 1);
    if (!API_KEY_NAME_PATTERN.test(name)) problems.push(`${where}: the name must be 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
    if (!(API_ROLES as readonly string[]).includes(role)) problems.push(`${where} (${name}): the role must be one of ${API_ROLES.join(', ')}`);
    const hashed = HASHED_SECRET.exec(secret);
    if (!hashed && !API_KEY_SECRET_PATTERN.test(secret)) {
      problems.push(`${where} (${name}): the key must be 20-512 characters of letters, digits and ._~+/=- (e.g. from \`openssl rand -hex 32\`), or sha256:<64 hex digits>`);
    }
    keys.push({ name, role: role as ApiRole, keyHash: hashed ? hashed[1].toLowerCase() : hashApiKey(secret) });
  });
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.name)) problems.push(`the name ${k.name} is used twice`);
    seen.add(k.name);
  }
  if (new Set(keys.map((k) => k.keyHash)).size !== keys.length) problems.push('two entries have the same key');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, keys };
}
