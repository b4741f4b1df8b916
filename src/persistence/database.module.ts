import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { isRetriable } from '@saga-coordinator/participant';
import { connectOrKeepTrying, DependencyReadiness } from '../dependency-readiness';
import { migrateCoordinatorSchema } from './coordinator-migrations';
import { assertDatabaseReachable, createPool } from './pg-pool';

export const PG_POOL = Symbol('PG_POOL');

/** Whether the database answered and is migrated (see DependencyReadiness). */
export class DatabaseReadiness extends DependencyReadiness {}

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
    // A wrong URL, password or database name will not heal by waiting: stop with the message.
    await connectOrKeepTrying('PostgreSQL', this.logger, () => this.connectAndMigrate(), () => this.closing, (err) => !isRetriable((err as { cause?: unknown }).cause ?? err));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.pool.end();
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
