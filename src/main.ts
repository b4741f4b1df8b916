// Entry point: validate config, start, and on SIGTERM/SIGINT close cleanly with exit code 0.
// Nest's enableShutdownHooks() re-raises the signal after closing (exit 143); we exit 0 ourselves.
// A repeated signal changes nothing: `npm start` forwards the signal it gets, and Ctrl-C in a
// terminal reaches every process of the group, so one Ctrl-C arrives twice. A signal during
// the start is kept and honoured as soon as the start has finished.
// Only the HTTP address and the port binding are imported up front: the port is bound, and
// answers liveness, before the configuration's validator and the application load
// (http-address.ts, module-preload.ts).
import type { INestApplication } from '@nestjs/common';
import { readHttpAddress } from './config/http-address';
import { readLocalInfraEnv } from './config/local-infra-env';
import { bindHttpPort } from './http-port';
import { preloadApplication, preloadConfigValidation } from './module-preload';

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
  const localDefaults = readLocalInfraEnv();
  const address = readHttpAddress(process.env, localDefaults);
  const bound = address && (await bindHttpPort(address.host, address.port).catch((err: Error) => err));
  await preloadConfigValidation();
  const { loadConfig } = await import('./config/app-config');
  // A wrong setting is reported before a port that is taken: it is the first thing to fix.
  const config = loadConfig(process.env, localDefaults);
  if (bound instanceof Error) throw bound;
  const server = bound ?? (await bindHttpPort(config.HTTP_HOST, config.HTTP_PORT));
  await preloadApplication();
  const { startApp } = await import('./bootstrap');
  const started = await startApp(config, server);
  app = started.app;
  if (stopSignal) return shutdown(app, stopSignal);
  const { announceStart } = await import('./start-announcement');
  await announceStart(app, config, started.port);
}

main().catch((err: Error) => {
  // Config and connection errors name the variable; anything else is unexpected and keeps its stack.
  const known = 'code' in err;
  process.stderr.write(`saga-coordinator failed to start: ${known ? err.message : err.stack}\n`);
  process.exit(1);
});
