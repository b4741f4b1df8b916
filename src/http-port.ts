// The HTTP port is checked before anything else starts: a coordinator that cannot serve
// its API must fail before it connects to PostgreSQL or Kafka, and above all before it
// joins the consumer group, where it would take partitions from the replicas running.
import { createServer } from 'node:net';

export class HttpPortUnavailableError extends Error {
  readonly code = 'HTTP_PORT_UNAVAILABLE';
  readonly retriable = false;
  constructor(
    readonly host: string,
    readonly port: number,
    cause: NodeJS.ErrnoException,
  ) {
    const why =
      cause.code === 'EADDRINUSE'
        ? `is already in use on ${host} (another coordinator, or another program?): stop it, or set HTTP_PORT to a free port`
        : cause.code === 'EACCES'
          ? `needs privileges this process lacks on ${host}: use a port above 1023`
          : `cannot be bound on ${host} (${cause.code ?? cause.message}); check HTTP_HOST and HTTP_PORT`;
    super(`HTTP_PORT=${port} ${why}`, { cause });
    this.name = 'HttpPortUnavailableError';
  }
}

/** Binds host:port once and releases it; throws HttpPortUnavailableError naming HTTP_PORT. Port 0 (any free port) always works. */
export async function assertHttpPortAvailable(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new HttpPortUnavailableError(host, port, err)));
    // exclusive: a port held by a cluster worker counts as taken, as it does for the real listen.
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** The address people type: 0.0.0.0 and :: listen everywhere, localhost reaches them. */
export function httpBaseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
