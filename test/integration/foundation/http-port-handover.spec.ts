// The HTTP port is bound before the application loads and answers as a starting coordinator,
// then the application takes the same server over: what a probe or a client sees on each side.
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp } from '../../../src/bootstrap';
import { bindHttpPort } from '../../../src/http-port';
import { waitFor } from '../../support/saga-waits';
import { createTestDatabase, TestDatabase, testConfig, uniqueName } from '../../support/test-infra';

describe('the HTTP port, bound before the application loads', () => {
  let db: TestDatabase;
  let server: Server;
  let base: string;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('saga_port_handover');
    server = await bindHttpPort('127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
    await db?.drop();
  });

  it('answers liveness while the application loads, and 503 STARTING with Retry-After for readiness and every route', async () => {
    const live = await fetch(`${base}/health`);
    expect({ status: live.status, body: await live.json() }).toEqual({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } });

    const head = await fetch(`${base}/health`, { method: 'HEAD' });
    expect({ status: head.status, body: await head.text() }).toEqual({ status: 200, body: '' });

    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect(await ready.json()).toEqual({
      status: 'error',
      info: {},
      error: { coordinator: { status: 'down', message: expect.stringContaining('starting') } },
      details: { coordinator: { status: 'down', message: expect.stringContaining('starting') } },
    });

    const start = await fetch(`${base}/v1/sagas?wait=5s`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ definition: 'x', input: {} }) });
    expect(start.status).toBe(503);
    expect(start.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(start.headers.get('retry-after')).toBe('1');
    expect(await start.json()).toEqual({
      type: 'urn:saga-coordinator:problem:starting',
      title: 'Service Unavailable',
      status: 503,
      code: 'STARTING',
      detail: expect.stringContaining('starting'),
      instance: '/v1/sagas',
    });
  });

  it('is taken over by the application: its routes, authentication and readiness answer on the same port', async () => {
    // A connection opened while starting is kept (fetch reuses it) and is answered by the application after.
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const started = await startApp(testConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: uniqueName('handover'), API_KEYS: 'ops:admin:0123456789abcdef0123456789abcdef' }), server);
    app = started.app;
    expect(started.port).toBe((server.address() as AddressInfo).port);

    const unauthenticated = await fetch(`${base}/v1/sagas`);
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({ code: 'API_KEY_MISSING' });
    const listed = await fetch(`${base}/v1/sagas`, { headers: { Authorization: 'Bearer 0123456789abcdef0123456789abcdef' } });
    expect(listed.status).toBe(200);
    const ready = await waitFor('readiness', async () => ((await fetch(`${base}/health/ready`)).status === 200 ? true : undefined), 30_000);
    expect(ready).toBe(true);

    // Closing the application closes the port it took over.
    await app.close();
    app = undefined;
    expect(server.listening).toBe(false);
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });
});
