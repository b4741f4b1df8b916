// HTTP/1.1 over a bare socket, for requests no well-behaved client would send: raw bytes
// in the path, invalid headers, unknown methods, lying Content-Length. One request per
// connection (`Connection: close` is the caller's business); the answer is parsed just
// enough to check its status, headers and body. The socket is not half-closed after the
// request (Node's server would take that for an aborted request and not answer); with
// `idleMs`, it is, after that long without an answer: a request that promised more body
// than it sent is then cut short, as a client giving up would.
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` as is and reads the answer until the server closes the connection (or timeoutMs). */
export function rawHttp(port: number, request: Buffer | string, timeoutMs = 10_000, idleMs?: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const idle = idleMs === undefined ? undefined : setTimeout(() => socket.end(), idleMs);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => {
      clearTimeout(idle);
      chunks.push(d);
    });
    // The server may close while we still write (it refused the request early): the answer it sent still counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(idle);
      const parsed = parseResponse(Buffer.concat(chunks));
      if (parsed) resolve(parsed);
      else reject(new Error(`no HTTP answer (${Buffer.concat(chunks).length} bytes received)`));
    });
  });
}

function parseResponse(raw: Buffer): RawResponse | undefined {
  // Interim answers (100 Continue) come first; the answer is the first final one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw.subarray(0, 13).toString('latin1')) && raw.indexOf('\r\n\r\n') >= 0) raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(m[1]), headers, body: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}
