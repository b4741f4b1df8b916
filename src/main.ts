// Entry point: validate config, start, and on SIGTERM/SIGINT close cleanly with exit code 0.
// Nest's enableShutdownHooks() re-raises the signal after closing (exit 143); we exit 0 ourselves.
import 'reflect-metadata';
import { startApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { readLocalInfraEnv } from './config/local-infra-env';

async function main(): Promise<void> {
  const config = loadConfig(process.env, readLocalInfraEnv());
  const app = await startApp(config);
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`received ${signal}, shutting down\n`);
    app.close().then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`shutdown failed: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: Error) => {
  // Config and connection errors name the variable; anything else is unexpected and keeps its stack.
  const known = err instanceof ConfigError || 'code' in err;
  process.stderr.write(`saga-coordinator failed to start: ${known ? err.message : err.stack}\n`);
  process.exit(1);
});
