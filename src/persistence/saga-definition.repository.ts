// Saga definitions: (name, version) rows that never change once stored. The same
// document registered again returns its existing version (matched by content hash);
// a changed document becomes version max+1.
import type { Queryable } from './queryable';

export interface StoredDefinition {
  name: string;
  version: number;
  contentHash: string;
  document: unknown;
  normalized: unknown;
  createdAt: Date;
}

interface DefinitionRow {
  name: string;
  version: number;
  content_hash: string;
  document: unknown;
  normalized: unknown;
  created_at: Date;
}

const toStored = (r: DefinitionRow): StoredDefinition => ({ name: r.name, version: r.version, contentHash: r.content_hash, document: r.document, normalized: r.normalized, createdAt: r.created_at });

/** Must run inside a transaction: the advisory lock serialises registrations of one name. */
export async function insertDefinitionVersion(
  db: Queryable,
  def: { name: string; contentHash: string; document: unknown; normalized: unknown },
): Promise<{ definition: StoredDefinition; created: boolean }> {
  await db.query("select pg_advisory_xact_lock(hashtext('saga_definition:' || $1))", [def.name]);
  const same = await db.query<DefinitionRow>('select * from saga_definitions where name = $1 and content_hash = $2', [def.name, def.contentHash]);
  if (same.rows[0]) return { definition: toStored(same.rows[0]), created: false };
  const inserted = await db.query<DefinitionRow>(
    `insert into saga_definitions (name, version, content_hash, document, normalized)
     values ($1, coalesce((select max(version) from saga_definitions where name = $1), 0) + 1, $2, $3, $4)
     returning *`,
    [def.name, def.contentHash, JSON.stringify(def.document), JSON.stringify(def.normalized)],
  );
  return { definition: toStored(inserted.rows[0]), created: true };
}

/** One version, or the latest when version is omitted. */
export async function findDefinition(db: Queryable, name: string, version?: number): Promise<StoredDefinition | undefined> {
  const res =
    version === undefined
      ? await db.query<DefinitionRow>('select * from saga_definitions where name = $1 order by version desc limit 1', [name])
      : await db.query<DefinitionRow>('select * from saga_definitions where name = $1 and version = $2', [name, version]);
  return res.rows[0] ? toStored(res.rows[0]) : undefined;
}

export async function listLatestDefinitions(db: Queryable): Promise<StoredDefinition[]> {
  const res = await db.query<DefinitionRow>('select distinct on (name) * from saga_definitions order by name, version desc');
  return res.rows.map(toStored);
}

export async function listDefinitionVersions(db: Queryable, name: string): Promise<StoredDefinition[]> {
  const res = await db.query<DefinitionRow>('select * from saga_definitions where name = $1 order by version', [name]);
  return res.rows.map(toStored);
}
