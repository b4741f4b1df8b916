// Structured JSON logs (pino) for machines, short pretty lines in a terminal.
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { PrettyOptions } from 'pino-pretty';
import type { AppConfig } from './config/app-config';

/** What a terminal shows of a line: the message and any field other than these. Requests are one short sentence; JSON keeps req and res. */
const PRETTY: PrettyOptions = {
  sync: true,
  singleLine: true,
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname,service,context,req,res,responseTime',
  messageFormat: '{if context}[{context}] {end}{msg}',
};

export function loggerOptions(config: Pick<AppConfig, 'LOG_LEVEL' | 'LOG_FORMAT'>): Params {
  const format = config.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const options: Options<IncomingMessage, ServerResponse> = {
    level: config.LOG_LEVEL,
    // API keys and cookies never reach a log line.
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'], censor: '***' },
    // Probes and scrapes come every few seconds: a line each would drown what matters.
    autoLogging: { ignore: (req) => /^\/(health|metrics)(\/|\?|$)/.test(req.url ?? '') },
    customProps: () => ({ service: 'saga-coordinator' }),
    customSuccessMessage: (req, res, ms) => `${req.method} ${req.url} ${res.statusCode} ${Math.round(ms)} ms`,
    customErrorMessage: (req, res, err) => `${req.method} ${req.url} ${res.statusCode} ${err.message}`,
  };
  const pretty = format === 'pretty' ? prettyStream() : undefined;
  return { pinoHttp: pretty ? [options, pretty] : options };
}

/**
 * pino-pretty in this thread, writing synchronously rather than as a worker transport:
 * its lines keep their order with what main.ts writes to stdout, and none is lost at exit.
 * It is a development dependency; an install without it logs JSON.
 */
function prettyStream(): DestinationStream | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional at run time, see above
    const build = require('pino-pretty') as (options: PrettyOptions) => DestinationStream;
    return build(PRETTY);
  } catch {
    return undefined;
  }
}
