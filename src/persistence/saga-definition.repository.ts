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
      ? await db.query<DefinitionRow>('select * from saga_definitions where name = $1 and deleted_at is null order by version desc limit 1', [name])
      : await db.query<DefinitionRow>('select * from saga_definitions where name = $1 and version = $2', [name, version]);
  return res.rows[0] ? toStored(res.rows[0]) : undefined;
}

export async function listLatestDefinitions(db: Queryable): Promise<StoredDefinition[]> {
  const res = await db.query<DefinitionRow>('select distinct on (name) * from saga_definitions where deleted_at is null order by name, version desc');
  return res.rows.map(toStored);
}

export async function listDefinitionVersions(db: Queryable, name: string): Promise<StoredDefinition[]> {
  const res = await db.query<DefinitionRow>('select * from saga_definitions where name = $1 and deleted_at is null order by version', [name]);
  return res.rows.map(toStored);
}

export interface VersionMarks {
  version: number;
  deprecatedAt: Date | null;
  deletedAt: Date | null;
}

/** The retirement marks of every version of `name` (the only thing about a version that changes). */
export async function readVersionMarks(db: Queryable, name: string): Promise<VersionMarks[]> {
  const res = await db.query<{ version: number; deprecated_at: Date | null; deleted_at: Date | null }>({
    name: 'read-version-marks',
    text: 'select version, deprecated_at, deleted_at from saga_definitions where name = $1 order by version',
    values: [name],
  });
  return res.rows.map((r) => ({ version: r.version, deprecatedAt: r.deprecated_at, deletedAt: r.deleted_at }));
}

/** Marks a version deprecated (once: a repeated call keeps the first time). False when there is no such live version. */
export async function markVersionDeprecated(db: Queryable, name: string, version: number): Promise<boolean> {
  const res = await db.query('update saga_definitions set deprecated_at = coalesce(deprecated_at, now()) where name = $1 and version = $2 and deleted_at is null', [name, version]);
  return (res.rowCount ?? 0) > 0;
}

/** Marks a version deleted. Run it in the transaction that checked, under lockVersion, that nothing runs on it. */
export async function markVersionDeleted(db: Queryable, name: string, version: number): Promise<void> {
  await db.query('update saga_definitions set deleted_at = now(), deprecated_at = coalesce(deprecated_at, now()) where name = $1 and version = $2', [name, version]);
}

/** Locks a version row (deletion against concurrent deletion and deprecation); false when it does not exist or is deleted. */
export async function lockVersion(db: Queryable, name: string, version: number): Promise<boolean> {
  const res = await db.query('select 1 from saga_definitions where name = $1 and version = $2 and deleted_at is null for update', [name, version]);
  return (res.rowCount ?? 0) > 0;
}

/** Sagas per version and status, for the versions' counts. */
export async function countSagasByVersion(db: Queryable, name: string): Promise<{ version: number; status: string; n: number }[]> {
  const res = await db.query<{ version: number; status: string; n: number }>(
    'select definition_version as version, status, count(*)::int as n from saga_instances where definition_name = $1 group by definition_version, status',
    [name],
  );
  return res.rows;
}
