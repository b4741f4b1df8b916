// Boots the real coordinator (the same Nest app users run) on a test's own database
// and topic prefix, plus scripted participants.
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { createApp } from '../../src/bootstrap';
import { SagaDefinitionService } from '../../src/coordinator/saga-definition.service';
import { SagaEngine } from '../../src/coordinator/saga-engine';
import { PG_POOL } from '../../src/persistence/database.module';
import { createTestDatabase, TestDatabase, testConfig, uniqueName } from './test-infra';
import { TestParticipants } from './test-participant';

export interface CoordinatorHarness {
  app: INestApplication;
  db: TestDatabase;
  pool: Pool;
  engine: SagaEngine;
  definitions: SagaDefinitionService;
  participants: TestParticipants;
  prefix: string;
  close(): Promise<void>;
}

export async function startCoordinatorHarness(participantNames: string[], extraEnv: Record<string, string> = {}): Promise<CoordinatorHarness> {
  const db = await createTestDatabase('saga_engine');
  const prefix = uniqueName('eng');
  const participants = new TestParticipants(prefix, participantNames);
  await participants.start();
  // No API key banner in test output: these tests do not use the API (loopback only).
  const app = await createApp(testConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, API_AUTH: 'disabled', ...extraEnv }));
  await app.init();
  return {
    app,
    db,
    pool: app.get<Pool>(PG_POOL),
    engine: app.get(SagaEngine),
    definitions: app.get(SagaDefinitionService),
    participants,
    prefix,
    close: async () => {
      await app.close();
      await participants.stop();
      await db.drop();
    },
  };
}
