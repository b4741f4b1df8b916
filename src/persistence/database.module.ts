import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { migrateCoordinatorSchema } from './coordinator-migrations';
import { assertDatabaseReachable, createPool } from './pg-pool';

export const PG_POOL = Symbol('PG_POOL');

/** The pg Pool, checked and migrated at boot, closed last at shutdown. */
@Global()
@Module({
  providers: [{ provide: PG_POOL, inject: [AppConfig], useFactory: (config: AppConfig) => createPool(config) }],
  exports: [PG_POOL],
})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await assertDatabaseReachable(this.pool, this.config.DATABASE_URL);
    if (this.config.MIGRATE_ON_START) {
      const { applied } = await migrateCoordinatorSchema(this.pool);
      this.logger.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
