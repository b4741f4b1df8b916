// Requests Node's HTTP server refuses before any framework sees them: bytes that are not
// HTTP, a character not allowed in a path or a header (`GET /v1/sagas?cursor=abc…` with a
// raw, unencoded `…`), headers over Node's size limit, an unknown method, an `Expect`
// other than 100-continue, a proxy's CONNECT. Node answers those with an empty 400 or 417,
// or closes the connection; this answers them with a problem document like every other
// error, so clients and proxies can tell a malformed request from a broken server.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { problem, PROBLEM_CONTENT_TYPE } from './problem-document';

interface ClientError extends Error {
  code?: string;
}

function answerFor(err: ClientError): { status: number; code: string; detail: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'REQUEST_HEADERS_TOO_LARGE', detail: 'the request headers are larger than the server accepts' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', detail: 'the request was not received in time' };
    default:
      return { status: 400, code: 'MALFORMED_REQUEST', detail: 'the request is not valid HTTP: check the method, the URL (percent-encode anything but ASCII) and the headers' };
  }
}

function problemHead(status: number, code: string, detail: string): { head: string; body: string } {
  const document = problem(status, code, detail);
  const body = JSON.stringify(document);
  return { head: `HTTP/1.1 ${status} ${document.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`, body };
}

/** Answers requests the HTTP server refuses with a problem document, then closes the connection. */
export function answerMalformedHttp(server: Server): void {
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify(problem(417, 'EXPECTATION_FAILED', 'the only Expect this server meets is 100-continue'));
    res.writeHead(417, { 'Content-Type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`, 'Content-Length': Buffer.byteLength(body), Connection: 'close' }).end(body);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const { head, body } = problemHead(405, 'METHOD_NOT_ALLOWED', 'this server is not a proxy: CONNECT is not allowed');
    socket.on('error', () => socket.destroy());
    socket.end(head + body);
  });
  server.on('clientError', (err: ClientError, socket: Duplex) => {
    // A connection reset or a half-sent request: nobody is left to answer.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, code, detail } = answerFor(err);
    const { head, body } = problemHead(status, code, detail);
    socket.end(head + body);
  });
}
