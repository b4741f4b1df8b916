// The definition registry: validates documents, stores each distinct one as a new
// version, provisions its participants' command topics, and serves the compiled
// (normalized) form to the engine. Versions never change, so they are cached forever.
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { canonicalDefinitionJson, normalizeDefinition } from '../core/definition-normalization';
import { validateDefinition } from '../core/definition-validation';
import { InvalidDefinitionError } from '../core/errors';
import type { NormalizedSagaDefinition } from '../core/saga-definition';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { topicNames } from '@saga-coordinator/participant/protocol';
import { PG_POOL } from '../persistence/database.module';
import { inTransaction } from '../persistence/queryable';
import {
  countSagasByVersion,
  findDefinition,
  insertDefinitionVersion,
  listDefinitionVersions,
  listLatestDefinitions,
  lockVersion,
  markVersionDeleted,
  markVersionDeprecated,
  readVersionMarks,
  StoredDefinition,
  VersionMarks,
} from '../persistence/saga-definition.repository';
import { assertDeletable, startVersion, versionUsageBucket } from '../core/definition-versions';
import { readNormalizedDefinition } from '../persistence/definition.reader';
import { DefinitionNotFoundError } from './coordinator-errors';
import { compileInputSchema } from './input-schema';

export interface RegisteredDefinition {
  name: string;
  version: number;
  created: boolean;
  contentHash: string;
  document: unknown;
  normalized: NormalizedSagaDefinition;
  createdAt: Date;
}

/** A live version, its deprecation, and its sagas counted (core versionUsageBucket). */
export interface VersionUsage {
  definition: RegisteredDefinition;
  deprecatedAt: Date | null;
  sagas: { running: number; failed: number; finished: number };
}

/** How long "the latest version of X" is served from memory: a version registered on another replica is used for new starts within this time. */
const LATEST_VERSION_TTL_MS = 1_000;

@Injectable()
export class SagaDefinitionService {
  private readonly cache = new Map<string, RegisteredDefinition>();
  private readonly latest = new Map<string, { version: number; at: number }>();
  /** The read itself is kept, so that the starts arriving while it runs share it. */
  private readonly marks = new Map<string, { marks: Promise<VersionMarks[]>; at: number }>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly bus: KafkaBus,
    private readonly config: AppConfig,
  ) {}

  /** Registers a document: idempotent for an identical one, a new version for a changed one. */
  async register(doc: unknown): Promise<RegisteredDefinition> {
    const result = validateDefinition(doc);
    const problems = result.ok ? [] : [...result.problems];
    if (result.ok && result.definition.inputSchema) {
      try {
        compileInputSchema(result.definition.inputSchema);
      } catch (err) {
        problems.push({ path: 'inputSchema', message: `is not a valid JSON Schema: ${(err as Error).message}` });
      }
    }
    if (!result.ok || problems.length > 0) {
      const name = typeof (doc as { name?: unknown })?.name === 'string' ? (doc as { name: string }).name : undefined;
      throw new InvalidDefinitionError(problems, name);
    }
    const normalized = normalizeDefinition(result.definition);
    const contentHash = createHash('sha256').update(canonicalDefinitionJson(normalized)).digest('hex');
    // Topics first: a stored version must never send to a topic that does not exist.
    await this.ensureCommandTopics(normalized);
    const { definition, created } = await inTransaction(this.pool, (client) =>
      insertDefinitionVersion(client, { name: normalized.name, contentHash, document: result.definition, normalized }),
    );
    this.latest.delete(normalized.name);
    this.marks.delete(normalized.name);
    return this.remember(definition, created);
  }

  /**
   * The version a new saga starts on (core startVersion): the requested one unless it is
   * deprecated (DefinitionVersionDeprecatedError) or deleted, else the latest live one.
   * Marks are read at most once per LATEST_VERSION_TTL_MS per name: a version retired on
   * another replica is refused here within that time.
   */
  async forStart(name: string, version?: number): Promise<RegisteredDefinition> {
    const marks = await this.versionMarks(name);
    const chosen = startVersion(name, marks.map((m) => ({ version: m.version, deprecated: m.deprecatedAt !== null, deleted: m.deletedAt !== null })), version);
    if (chosen === null) throw new DefinitionNotFoundError(name, version);
    return this.get(name, chosen);
  }

  /** Every live version with its retirement marks and how many sagas on it run, wait for an operator, or have finished. */
  async versionsWithUsage(name: string): Promise<VersionUsage[]> {
    const versions = await this.listVersions(name);
    const [marks, counts] = await Promise.all([readVersionMarks(this.pool, name), countSagasByVersion(this.pool, name)]);
    return versions.map((definition) => ({ definition, deprecatedAt: marks.find((m) => m.version === definition.version)?.deprecatedAt ?? null, sagas: usageOf(counts, definition.version) }));
  }

  async deprecate(name: string, version: number): Promise<void> {
    if (!(await markVersionDeprecated(this.pool, name, version))) throw new DefinitionNotFoundError(name, version);
    this.marks.delete(name);
    this.latest.delete(name);
  }

  /** Deletes a version once every saga on it has ended (DefinitionVersionInUseError otherwise). */
  async delete(name: string, version: number): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      if (!(await lockVersion(client, name, version))) throw new DefinitionNotFoundError(name, version);
      assertDeletable(name, version, usageOf(await countSagasByVersion(client, name), version));
      await markVersionDeleted(client, name, version);
    });
    this.marks.delete(name);
    this.latest.delete(name);
  }

  private async versionMarks(name: string): Promise<VersionMarks[]> {
    const known = this.marks.get(name);
    if (known && Date.now() - known.at < LATEST_VERSION_TTL_MS) return known.marks;
    // One read per name however many starts wait: each start reading on its own, a burst of
    // thousands queued for the pool every second and starved the engine's own transactions.
    const entry = { marks: readVersionMarks(this.pool, name), at: Date.now() };
    this.marks.set(name, entry);
    entry.marks.catch(() => {
      if (this.marks.get(name) === entry) this.marks.delete(name);
    });
    return entry.marks;
  }

  /** The given version, or the latest. Throws DefinitionNotFoundError. */
  async get(name: string, version?: number): Promise<RegisteredDefinition> {
    const latest = version === undefined ? this.latest.get(name) : undefined;
    const wanted = version ?? (latest && Date.now() - latest.at < LATEST_VERSION_TTL_MS ? latest.version : undefined);
    if (wanted !== undefined) {
      const cached = this.cache.get(`${name}@${wanted}`);
      if (cached) return cached;
    }
    const stored = await findDefinition(this.pool, name, version);
    if (!stored) throw new DefinitionNotFoundError(name, version);
    if (version === undefined) this.latest.set(name, { version: stored.version, at: Date.now() });
    return this.remember(stored, false);
  }

  async listLatest(): Promise<RegisteredDefinition[]> {
    return (await listLatestDefinitions(this.pool)).map((d) => this.remember(d, false));
  }

  async listVersions(name: string): Promise<RegisteredDefinition[]> {
    const versions = await listDefinitionVersions(this.pool, name);
    if (versions.length === 0) throw new DefinitionNotFoundError(name);
    return versions.map((d) => this.remember(d, false));
  }

  /** Provisions the command topics of every participant the definition names (idempotent). */
  async ensureCommandTopics(def: NormalizedSagaDefinition): Promise<void> {
    const names = topicNames(this.config.KAFKA_TOPIC_PREFIX);
    const participants = new Set(def.stages.flatMap((s) => s.steps.map((st) => st.participant)));
    await this.bus.ensureTopics(
      [...participants].map((p) => ({ topic: names.commands(p), partitions: this.config.KAFKA_PARTITIONS, replicationFactor: this.config.KAFKA_REPLICATION_FACTOR })),
    );
  }

  private remember(d: StoredDefinition, created: boolean): RegisteredDefinition {
    const key = `${d.name}@${d.version}`;
    const cached = this.cache.get(key);
    if (cached) return created === cached.created ? cached : { ...cached, created };
    const registered: RegisteredDefinition = {
      name: d.name,
      version: d.version,
      created,
      contentHash: d.contentHash,
      document: d.document,
      normalized: readNormalizedDefinition(d.normalized, `${d.name} v${d.version}`),
      createdAt: d.createdAt,
    };
    this.cache.set(key, { ...registered, created: false });
    return registered;
  }
}

function usageOf(counts: { version: number; status: string; n: number }[], version: number): VersionUsage['sagas'] {
  const sagas = { running: 0, failed: 0, finished: 0 };
  for (const c of counts) if (c.version === version) sagas[versionUsageBucket(c.status)] += c.n;
  return sagas;
}
