// Builds and starts the coordinator application; shared by main.ts and the tests,
// so tests boot exactly what users run.
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { configureHttp, HTTP_FACTORY_OPTIONS } from './api/http-setup';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';

export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { ...HTTP_FACTORY_OPTIONS, bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  configureHttp(app, config);
  return app;
}

export async function startApp(config: AppConfig): Promise<INestApplication> {
  const app = await createApp(config);
  try {
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}
