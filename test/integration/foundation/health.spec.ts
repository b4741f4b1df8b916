import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../../src/bootstrap';
import { createTestDatabase, TestDatabase, testConfig, uniqueName } from '../../support/test-infra';
import { TcpProxy } from '../../support/tcp-proxy';
import { waitFor } from '../../support/saga-waits';

describe('GET /health and /health/ready on the real app', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase('saga_health');
    const target = new URL(db.url);
    // The app reaches PostgreSQL only through a proxy the test can cut.
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(port);
    app = await createApp(testConfig({ DATABASE_URL: viaProxy.toString(), KAFKA_TOPIC_PREFIX: uniqueName('health') }));
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
    await db?.drop();
  });

  it('is live at once, and ready when PostgreSQL and Kafka answer and the replies are read', async () => {
    await request(app.getHttpServer()).get('/health').expect(200);
    // The consumer starts after init returns: readiness follows within a few reply-progress probes, naming what it waits for.
    const res = await waitFor('readiness', async () => {
      const r = await request(app.getHttpServer()).get('/health/ready');
      if (r.status === 503) expect(r.body.details.replies.status).toBe('down');
      return r.status === 200 ? r : undefined;
    }, 30_000);
    expect(res.body.details).toEqual({ postgres: { status: 'up' }, kafka: { status: 'up' }, replies: { status: 'up', behindMs: expect.any(Number) } });
  });

  it('reports not ready, naming PostgreSQL, while the database is unreachable, and ready again after', async () => {
    proxy.interrupt();
    const down = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(down.body.status).toBe('error');
    expect(down.body.details.postgres.status).toBe('down');
    expect(down.body.details.kafka.status).toBe('up');
    // Liveness does not depend on the database.
    await request(app.getHttpServer()).get('/health').expect(200);

    proxy.restore();
    const up = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(up.body.details.postgres.status).toBe('up');
  });
});
