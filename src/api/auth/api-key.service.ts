// API keys: checks a presented key against the keys of API_KEYS and those stored
// (hashed) in the database, and creates, lists and revokes stored keys.
//
// A presented key is hashed and compared with every known hash in constant time,
// without stopping at the first match, so response time does not tell an attacker
// how close a guess came or which key matched. Stored keys are read per request (a
// tiny table) rather than cached, so a revocation holds at once on every replica.
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import { ApiRole, ConfiguredApiKey, hashApiKey } from '../../config/api-key-list';
import { AppConfig } from '../../config/app-config';
import { insertApiKey, insertFirstApiKey, listActiveApiKeys, listApiKeys, revokeApiKey } from '../../persistence/api-key.repository';
import { PG_POOL } from '../../persistence/database.module';
import { inTransaction } from '../../persistence/queryable';
import { ApiKeyFromEnvironmentError, ApiKeyNameTakenError, ApiKeyNotFoundError } from '../errors/api-errors';
import { Principal, principalOf } from './principal';

export interface ApiKeyView {
  name: string;
  role: ApiRole;
  source: 'environment' | 'database';
  createdBy: string | null;
  createdAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** The name of the admin key created at first boot when no key is configured at all. */
export const FIRST_KEY_NAME = 'bootstrap-admin';

/** A new random key: 256 bits, prefixed so that secret scanners and people recognise it. */
export function generateApiKey(): string {
  return `sck_${randomBytes(32).toString('base64url')}`;
}

@Injectable()
export class ApiKeyService {
  private readonly envKeys: ConfiguredApiKey[];

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly config: AppConfig,
  ) {
    this.envKeys = config.apiKeys;
  }

  get authDisabled(): boolean {
    return this.config.API_AUTH === 'disabled';
  }

  get hasEnvironmentKeys(): boolean {
    return this.envKeys.length > 0;
  }

  async authenticate(presented: string): Promise<Principal | undefined> {
    const digest = Buffer.from(hashApiKey(presented), 'hex');
    const stored = await listActiveApiKeys(this.pool);
    const candidates = [
      ...this.envKeys.map((k) => ({ key: k, source: 'environment' as const })),
      ...stored.map((k) => ({ key: { name: k.name, role: k.role as ApiRole, keyHash: k.keyHash }, source: 'database' as const })),
    ];
    let match: Principal | undefined;
    for (const { key, source } of candidates) {
      const known = Buffer.from(key.keyHash, 'hex');
      if (known.length !== digest.length) continue;
      if (timingSafeEqual(known, digest) && match === undefined) match = principalOf(key, source);
    }
    return match;
  }

  /** Creates a stored key and returns it: the only time the key itself is ever shown. */
  async create(name: string, role: ApiRole, by: string): Promise<{ key: string; view: ApiKeyView }> {
    if (this.envKeys.some((k) => k.name === name)) throw new ApiKeyNameTakenError();
    const key = generateApiKey();
    const stored = await insertApiKey(this.pool, { name, role, keyHash: hashApiKey(key), createdBy: by });
    if (!stored) throw new ApiKeyNameTakenError();
    return { key, view: storedView(stored) };
  }

  async list(): Promise<ApiKeyView[]> {
    const stored = await listApiKeys(this.pool);
    const fromEnv: ApiKeyView[] = this.envKeys.map((k) => ({ name: k.name, role: k.role, source: 'environment', createdBy: null, createdAt: null, revokedAt: null, revokedBy: null }));
    return [...fromEnv, ...stored.map(storedView)];
  }

  /** Revokes a stored key; revoking it again changes nothing (the first revocation is kept). */
  async revoke(name: string, by: string): Promise<ApiKeyView> {
    const stored = await revokeApiKey(this.pool, name, by);
    if (stored) return storedView(stored);
    if (this.envKeys.some((k) => k.name === name)) throw new ApiKeyFromEnvironmentError();
    throw new ApiKeyNotFoundError();
  }

  /**
   * With no key in API_KEYS and none ever stored, creates the first admin key and
   * returns it (once, across all replicas); otherwise returns undefined.
   */
  async createFirstKeyIfNone(): Promise<string | undefined> {
    if (this.authDisabled || this.hasEnvironmentKeys) return undefined;
    const key = generateApiKey();
    const created = await inTransaction(this.pool, (client) =>
      insertFirstApiKey(client, { name: FIRST_KEY_NAME, role: 'admin', keyHash: hashApiKey(key), createdBy: 'coordinator (first start)' }),
    );
    return created ? key : undefined;
  }
}

function storedView(k: { name: string; role: string; createdBy: string; createdAt: Date; revokedAt: Date | null; revokedBy: string | null }): ApiKeyView {
  return { name: k.name, role: k.role as ApiRole, source: 'database', createdBy: k.createdBy, createdAt: k.createdAt, revokedAt: k.revokedAt, revokedBy: k.revokedBy };
}
