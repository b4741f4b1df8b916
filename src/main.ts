// Entry point: validate config, start, and on SIGTERM/SIGINT close cleanly with exit code 0.
// Nest's enableShutdownHooks() re-raises the signal after closing (exit 143); we exit 0 ourselves.
// A repeated signal changes nothing: `npm start` forwards the signal it gets, and Ctrl-C in a
// terminal reaches every process of the group, so one Ctrl-C arrives twice. A signal during
// the start is kept and honoured as soon as the start has finished.
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { FirstApiKey, firstKeyNotice } from './api/auth/first-api-key';
import { startApp } from './bootstrap';
import { CoordinatorModule } from './coordinator/coordinator.module';
import { ConfigError, loadConfig } from './config/app-config';
import { readLocalInfraEnv } from './config/local-infra-env';
import { httpBaseUrl } from './http-port';

let app: INestApplication | undefined;
let stopSignal: NodeJS.Signals | undefined;

function onSignal(signal: NodeJS.Signals): void {
  if (stopSignal) return;
  stopSignal = signal;
  if (app) void shutdown(app, signal);
}

async function shutdown(running: INestApplication, signal: NodeJS.Signals): Promise<void> {
  process.stdout.write(`received ${signal}, shutting down\n`);
  try {
    await running.close();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const config = loadConfig(process.env, readLocalInfraEnv());
  const started = await startApp(config);
  app = started.app;
  if (stopSignal) return shutdown(app, stopSignal);
  const url = httpBaseUrl(config.HTTP_HOST, started.port);
  new Logger('Coordinator').log(`ready on ${url}${config.API_DOCS ? ` (API reference: ${url}/docs)` : ''}`);
  const key = app.get(FirstApiKey).createdKey;
  if (key !== undefined) {
    // Last, below every boot log line (the consumer's start included, unless Kafka is slow), so that nobody misses it.
    await Promise.race([app.get(CoordinatorModule).consuming.catch(() => undefined), new Promise((r) => setTimeout(r, 15_000).unref())]);
    await new Promise<void>((resolve) => PinoLogger.root.flush(() => resolve()));
    process.stdout.write(firstKeyNotice(key, url));
  }
}

main().catch((err: Error) => {
  // Config and connection errors name the variable; anything else is unexpected and keeps its stack.
  const known = err instanceof ConfigError || 'code' in err;
  process.stderr.write(`saga-coordinator failed to start: ${known ? err.message : err.stack}\n`);
  process.exit(1);
});
