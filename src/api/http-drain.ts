// How the HTTP server lets go of its connections when the service stops: idle keep-alive
// connections close at once, requests under way get DRAIN_GRACE_MS to finish, and then
// every connection still open is closed. Without the bound, one client that promised a
// body and never sent it held the shutdown for Node's requestTimeout (300 s), so a
// SIGTERM ended in the orchestrator's SIGKILL instead of a clean stop.
import type { Server } from 'node:http';

/** Longer than any API answer takes; a caller cut short retries (starts are idempotent by their key). */
export const DRAIN_GRACE_MS = 5_000;

export function drainOnClose(server: Server, graceMs = DRAIN_GRACE_MS): void {
  // Nest's adapter closes the server with server.close(): the one moment to start the grace.
  // Rejected: a beforeApplicationShutdown hook, which runs before the engine stops and so
  // would start the grace too early, while requests may still be answered.
  const close = server.close.bind(server);
  server.close = ((callback?: (err?: Error) => void) => {
    const result = close(callback);
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.once('close', () => clearTimeout(force));
    return result;
  }) as Server['close'];
}
