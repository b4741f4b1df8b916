// The real coordinator app, in-process, on its own database and topic prefix (no scripted
// participants: these tests bring SDK participants).
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { createApp } from '../../../../src/bootstrap';
import { SagaDefinitionService } from '../../../../src/coordinator/saga-definition.service';
import { SagaEngine } from '../../../../src/coordinator/saga-engine';
import { PG_POOL } from '../../../../src/persistence/database.module';
import { createTestDatabase, testConfig, uniqueName, type TestDatabase } from '../../../support/test-infra';

export interface InProcessCoordinator {
  app: INestApplication;
  db: TestDatabase;
  pool: Pool;
  engine: SagaEngine;
  definitions: SagaDefinitionService;
  prefix: string;
  close(): Promise<void>;
}

export async function startInProcessCoordinator(prefix = uniqueName('part'), extraEnv: Record<string, string> = {}): Promise<InProcessCoordinator> {
  const db = await createTestDatabase('participant_coord');
  // No API key banner in test output: these tests do not use the API (loopback only).
  const app = await createApp(testConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, API_AUTH: 'disabled', ...extraEnv }));
  await app.init();
  return {
    app,
    db,
    pool: app.get<Pool>(PG_POOL),
    engine: app.get(SagaEngine),
    definitions: app.get(SagaDefinitionService),
    prefix,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
