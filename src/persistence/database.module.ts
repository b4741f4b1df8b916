import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { isRetriable } from '../coordinator/retriable';
import { migrateCoordinatorSchema } from './coordinator-migrations';
import { assertDatabaseReachable, createPool } from './pg-pool';

export const PG_POOL = Symbol('PG_POOL');

/**
 * Whether the database answered and is migrated. A PostgreSQL that is down at boot is
 * waited for (the process serves /health and reports not-ready meanwhile) rather than
 * ending the process: an outage, at boot or later, is a pause, not a failure.
 */
export class DatabaseReadiness {
  private resolveReady!: () => void;
  readonly ready: Promise<void> = new Promise((resolve) => (this.resolveReady = resolve));
  private done = false;

  get isReady(): boolean {
    return this.done;
  }

  markReady(): void {
    this.done = true;
    this.resolveReady();
  }
}

/** The pg Pool, checked and migrated at boot (waiting for PostgreSQL when it is down), closed last at shutdown. */
@Global()
@Module({
  providers: [{ provide: PG_POOL, inject: [AppConfig], useFactory: (config: AppConfig) => createPool(config) }, DatabaseReadiness],
  exports: [PG_POOL, DatabaseReadiness],
})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private closing = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly config: AppConfig,
    private readonly readiness: DatabaseReadiness,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.connectAndMigrate();
    } catch (err) {
      // A wrong URL, password or database name will not heal by waiting: stop with the message.
      if (!isRetriable((err as { cause?: unknown }).cause ?? err)) throw err;
      this.logger.warn(`${(err as Error).message}; waiting for PostgreSQL (the coordinator is not ready until it answers)`);
      void this.keepTrying();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.pool.end();
  }

  private async keepTrying(): Promise<void> {
    for (let delay = 500; !this.closing; delay = Math.min(delay * 2, 5_000)) {
      await new Promise((r) => setTimeout(r, delay));
      if (this.closing) return;
      try {
        await this.connectAndMigrate();
        this.logger.log('PostgreSQL answers again');
        return;
      } catch (err) {
        this.logger.warn(`still waiting for PostgreSQL: ${(err as Error).message}`);
      }
    }
  }

  private async connectAndMigrate(): Promise<void> {
    await assertDatabaseReachable(this.pool, this.config.DATABASE_URL);
    if (this.config.MIGRATE_ON_START) {
      const { applied } = await migrateCoordinatorSchema(this.pool);
      this.logger.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date');
    }
    this.readiness.markReady();
  }
}
