// The HTTP port is bound before anything else starts: a coordinator that cannot serve
// its API must fail before it connects to PostgreSQL or Kafka, and above all before it
// joins the consumer group, where it would take partitions from the replicas running.
import { createServer, type Server } from 'node:http';
import { answerWhileStarting } from './starting-answers';

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

/**
 * Binds host:port with a server that answers as starting-answers.ts says until the
 * application takes it over (see bootstrap.ts); throws HttpPortUnavailableError naming HTTP_PORT.
 */
export async function bindHttpPort(host: string, port: number): Promise<Server> {
  const server = createServer(answerWhileStarting);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new HttpPortUnavailableError(host, port, err)));
    // exclusive: a port held by a cluster worker counts as taken.
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
  return server;
}

/** The address people type: 0.0.0.0 and :: listen everywhere, localhost reaches them. */
export function httpBaseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
