// What the coordinator's HTTP port answers while the application loads. main.ts binds the
// port before it loads Nest and the rest (seconds on a busy machine), so that liveness is
// answered within a fraction of a second of the spawn and a second coordinator on the same
// port fails at once; the application then takes the same server over (no moment where the
// port refuses connections). Only node:http and the problem document: anything heavier here
// would delay the very answers this exists for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem, PROBLEM_CONTENT_TYPE } from './api/errors/problem-document';

/** The code of every answer but liveness while the application loads. */
const STARTING_CODE = 'STARTING';

const STARTING_DETAIL = 'the coordinator is starting: the application is loading; retry in a moment';

/**
 * Liveness holds from the bind (the process runs and its event loop turns), as it does
 * later: it never depends on PostgreSQL or Kafka. Readiness and every other route answer
 * 503 with Retry-After, in the shapes the application uses for them.
 */
export function answerWhileStarting(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?', 1)[0];
  const head = req.method === 'HEAD';
  if ((req.method === 'GET' || head) && path === '/health') return send(res, 200, 'application/json', { status: 'ok', info: {}, error: {}, details: {} }, head);
  res.setHeader('Retry-After', '1');
  if ((req.method === 'GET' || head) && path === '/health/ready') {
    const starting = { coordinator: { status: 'down', message: STARTING_DETAIL } };
    return send(res, 503, 'application/json', { status: 'error', info: {}, error: starting, details: starting }, head);
  }
  send(res, 503, PROBLEM_CONTENT_TYPE, problem(503, STARTING_CODE, STARTING_DETAIL, { instance: path }), head);
}

function send(res: ServerResponse, status: number, contentType: string, body: unknown, head: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': `${contentType}; charset=utf-8`, 'Content-Length': Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}
