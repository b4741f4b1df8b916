// A stopping service is not held by its HTTP clients: a request whose body never comes
// and an idle keep-alive connection are closed within the drain grace, and the stop
// completes (Node alone would wait for its 300 s requestTimeout).
import net from 'node:net';
import { DRAIN_GRACE_MS } from '../../../src/api/http-drain';
import { KEYS, startApiTestApp } from './support/api-test-app';

function openConnection(port: number, bytes: string): Promise<{ socket: net.Socket; closed: Promise<void>; received: () => string }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(bytes);
      resolve({ socket, closed, received: () => data });
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

describe('stopping the service with HTTP clients still connected', () => {
  it('closes a half-sent request and an idle keep-alive connection, and the stop completes', async () => {
    const api = await startApiTestApp();
    const server = api.h.app.getHttpServer();
    const port = (server.address() as { port: number }).port;
    let stopped = false;
    try {
      const halfSent = await openConnection(port, `POST /v1/sagas HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.admin.key}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"definition":`);
      const keepAlive = await openConnection(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      const deadline = Date.now() + 10_000;
      while (!/^HTTP\/1\.1 200/.test(keepAlive.received()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(keepAlive.received()).toMatch(/^HTTP\/1\.1 200/);
      expect(await new Promise<number>((r) => server.getConnections((_e: unknown, n: number) => r(n)))).toBe(2);

      const began = Date.now();
      await api.close();
      stopped = true;
      await Promise.all([halfSent.closed, keepAlive.closed]);
      // Well inside the jest timeout, and far from the 300 s Node would wait without the drain.
      expect(Date.now() - began).toBeLessThan(DRAIN_GRACE_MS + 30_000);
      expect(halfSent.received()).toBe('');
    } finally {
      if (!stopped) await api.close();
    }
  });
});
