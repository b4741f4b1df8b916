// API keys stored in the database: name, role and the SHA-256 of the key, never the key.
import type { Queryable } from './queryable';

export interface StoredApiKey {
  name: string;
  role: string;
  keyHash: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
}

interface Row {
  name: string;
  role: string;
  key_hash: string;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const toStored = (r: Row): StoredApiKey => ({
  name: r.name,
  role: r.role,
  keyHash: r.key_hash,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
});

/** Inserts a key; returns undefined when the name is taken (by an active or a revoked key). */
export async function insertApiKey(db: Queryable, k: { name: string; role: string; keyHash: string; createdBy: string }): Promise<StoredApiKey | undefined> {
  const res = await db.query<Row>(
    `insert into api_keys (name, role, key_hash, created_by) values ($1, $2, $3, $4)
     on conflict (name) do nothing
     returning *`,
    [k.name, k.role, k.keyHash, k.createdBy],
  );
  return res.rows[0] ? toStored(res.rows[0]) : undefined;
}

export async function listApiKeys(db: Queryable): Promise<StoredApiKey[]> {
  const res = await db.query<Row>('select * from api_keys order by name');
  return res.rows.map(toStored);
}

export async function listActiveApiKeys(db: Queryable): Promise<StoredApiKey[]> {
  const res = await db.query<Row>('select * from api_keys where revoked_at is null');
  return res.rows.map(toStored);
}

/** Revokes a key; a key already revoked keeps its first revocation. Returns the row, or undefined for an unknown name. */
export async function revokeApiKey(db: Queryable, name: string, by: string): Promise<StoredApiKey | undefined> {
  const res = await db.query<Row>(
    `update api_keys set revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2)
      where name = $1
      returning *`,
    [name, by],
  );
  return res.rows[0] ? toStored(res.rows[0]) : undefined;
}

/**
 * Inserts the first key, only while the table is empty. Replicas booting together
 * serialise on the advisory lock, so exactly one of them creates it. Must run inside a transaction.
 */
export async function insertFirstApiKey(db: Queryable, k: { name: string; role: string; keyHash: string; createdBy: string }): Promise<StoredApiKey | undefined> {
  await db.query("select pg_advisory_xact_lock(hashtext('saga_api_keys:first'))");
  const any = await db.query('select 1 from api_keys limit 1');
  if (any.rowCount) return undefined;
  return insertApiKey(db, k);
}
