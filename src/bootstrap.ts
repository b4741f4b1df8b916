// Builds and starts the coordinator application; shared by main.ts and the tests,
// so tests boot exactly what users run.
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import { configureHttp, HTTP_FACTORY_OPTIONS } from './api/http-setup';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { answerWhileStarting } from './starting-answers';

/**
 * Express on a server that is already listening (bound by main.ts before the application
 * loaded) instead of one Nest creates: the port never refuses a connection between the
 * two. Rejected: closing the early server and listening again (a gap in which probes fail),
 * and passing its handle to a second server (both would then own one socket).
 */
class BoundServerAdapter extends ExpressAdapter {
  constructor(private readonly bound: Server) {
    super();
  }

  override initHttpServer(): void {
    this.httpServer = this.bound;
  }
}

/** The application; on `server` (already listening) when given, else on a server of its own that nothing listens on yet (tests use supertest). */
export async function createApp(config: AppConfig, server?: Server): Promise<INestApplication> {
  const options = { ...HTTP_FACTORY_OPTIONS, bufferLogs: true, abortOnError: false };
  const module = AppModule.forRoot(config);
  const app = server ? await NestFactory.create(module, new BoundServerAdapter(server), options) : await NestFactory.create(module, options);
  app.useLogger(app.get(Logger));
  // Print what was logged while the app was created, and log straight through pino from now
  // on: Nest would flush the buffer only once init succeeds, hiding why a failed start failed.
  app.flushLogs();
  configureHttp(app, config);
  return app;
}

/**
 * Connects, starts the consumer and hands `server` (bound by bindHttpPort) to the
 * application, which answers every request from then on. Resolves with the port.
 */
export async function startApp(config: AppConfig, server: Server): Promise<{ app: INestApplication; port: number }> {
  const app = await createApp(config, server);
  try {
    await app.init();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  server.off('request', answerWhileStarting);
  server.on('request', app.getHttpAdapter().getInstance());
  const port = (server.address() as AddressInfo).port;
  return { app, port };
}
