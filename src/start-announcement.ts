// What the terminal shows once the coordinator serves: the address, and the first admin key
// when this start created one.
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { FirstApiKey, firstKeyNotice } from './api/auth/first-api-key';
import type { AppConfig } from './config/app-config';
import { CoordinatorModule } from './coordinator/coordinator.module';
import { httpBaseUrl } from './http-port';

export async function announceStart(app: INestApplication, config: AppConfig, port: number): Promise<void> {
  const url = httpBaseUrl(config.HTTP_HOST, port);
  new Logger('Coordinator').log(`ready on ${url}${config.API_DOCS ? ` (API reference: ${url}/docs)` : ''}`);
  const key = app.get(FirstApiKey).createdKey;
  if (key === undefined) return;
  // Last, below every boot log line (the consumer's start included, unless Kafka is slow), so that nobody misses it.
  await Promise.race([app.get(CoordinatorModule).consuming.catch(() => undefined), new Promise((r) => setTimeout(r, 15_000).unref())]);
  await new Promise<void>((resolve) => PinoLogger.root.flush(() => resolve()));
  process.stdout.write(firstKeyNotice(key, url));
}
