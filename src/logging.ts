// Structured JSON logs (pino) for machines, pretty lines in a terminal.
import type { Params } from 'nestjs-pino';
import type { AppConfig } from './config/app-config';

export function loggerOptions(config: Pick<AppConfig, 'LOG_LEVEL' | 'LOG_FORMAT'>): Params {
  const pretty = (config.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  return {
    pinoHttp: {
      level: config.LOG_LEVEL,
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
      // API keys and cookies never reach a log line.
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'], censor: '***' },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      customProps: () => ({ service: 'saga-coordinator' }),
    },
  };
}
