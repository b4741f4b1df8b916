// Builds and starts the coordinator application; shared by main.ts and the tests,
// so tests boot exactly what users run.
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import { configureHttp, HTTP_FACTORY_OPTIONS } from './api/http-setup';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { assertHttpPortAvailable, HttpPortUnavailableError } from './http-port';

export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { ...HTTP_FACTORY_OPTIONS, bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  // Print what was logged while the app was created, and log straight through pino from now
  // on: Nest would flush the buffer only once init succeeds, hiding why a failed start failed.
  app.flushLogs();
  configureHttp(app, config);
  return app;
}

/** Checks the HTTP port, then connects, joins the consumer group and listens. Resolves with the port it listens on. */
export async function startApp(config: AppConfig): Promise<{ app: INestApplication; port: number }> {
  await assertHttpPortAvailable(config.HTTP_HOST, config.HTTP_PORT);
  const app = await createApp(config);
  try {
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  } catch (err) {
    await app.close().catch(() => undefined);
    // Taken between the check and the listen: still say which variable.
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new HttpPortUnavailableError(config.HTTP_HOST, config.HTTP_PORT, err as NodeJS.ErrnoException);
    throw err;
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port };
}
