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
  let app: INestApplication | undefined;
  try {
    await participants.start();
    // Tests that configure no API keys do not use the API: turn auth off (loopback only) so the
    // first-start admin key banner stays out of test output. Tests of the API pass their keys.
    const auth: Record<string, string> = extraEnv.API_KEYS || extraEnv.API_AUTH ? {} : { API_AUTH: 'disabled' };
    app = await createApp(testConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, ...auth, ...extraEnv }));
    await app.init();
  } catch (err) {
    // A half-started harness would keep consumers running and hold the test process open.
    await app?.close().catch(() => undefined);
    await participants.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
    throw err;
  }
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
