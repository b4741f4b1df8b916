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
import { findDefinition, insertDefinitionVersion, listDefinitionVersions, listLatestDefinitions, StoredDefinition } from '../persistence/saga-definition.repository';
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

/** How long "the latest version of X" is served from memory: a version registered on another replica is used for new starts within this time. */
const LATEST_VERSION_TTL_MS = 1_000;

@Injectable()
export class SagaDefinitionService {
  private readonly cache = new Map<string, RegisteredDefinition>();
  private readonly latest = new Map<string, { version: number; at: number }>();

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
    return this.remember(definition, created);
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
