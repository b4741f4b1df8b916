// Zero-config without an open API: when no API key exists at all (API_KEYS unset and
// none ever stored), the first start creates an admin key, stores its hash and prints
// the key once on standard output — the approach of Elasticsearch and Grafana for their
// first admin credential. Rejected alternatives: an open API when nothing is configured
// (silently open in production), and refusing to start (breaks `npm start` on a fresh
// clone). main.ts prints the key directly, not through the logger, once the server is
// ready (after every boot log line), and never again.
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { DatabaseReadiness } from '../../persistence/database.module';
import { ApiKeyService, FIRST_KEY_NAME } from './api-key.service';

@Injectable()
export class FirstApiKey implements OnApplicationBootstrap {
  private readonly logger = new Logger('Api');
  /** The admin key this start created, for main.ts to print once the server listens. */
  createdKey?: string;

  constructor(
    private readonly keys: ApiKeyService,
    private readonly config: AppConfig,
    private readonly database: DatabaseReadiness,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.keys.authDisabled) {
      this.logger.warn(`API authentication is disabled (API_AUTH=disabled): anyone who can reach ${this.config.HTTP_HOST}:${this.config.HTTP_PORT} acts as admin`);
      return;
    }
    // Boot does not wait for PostgreSQL (an outage is a pause); the first key is made when it answers.
    if (!this.database.isReady) {
      void this.database.ready.then(() => this.ensureFirstKey()).catch((err: Error) => this.logger.warn(`could not check for a first API key: ${err.message}`));
      return;
    }
    await this.ensureFirstKey();
  }

  private async ensureFirstKey(): Promise<void> {
    const key = await this.keys.createFirstKeyIfNone();
    if (key !== undefined) {
      this.createdKey = key;
      this.logger.warn(`no API key was configured: created the admin key '${FIRST_KEY_NAME}'; it is printed once on standard output when the coordinator is ready`);
      return;
    }
    if (!this.keys.hasEnvironmentKeys && (await this.keys.list()).every((k) => k.revokedAt !== null)) {
      this.logger.warn('every stored API key is revoked and API_KEYS is unset: /v1 refuses every request until API_KEYS names a key');
    }
  }
}

/** The box printed once with the new key; `baseUrl` is where the API answers, e.g. http://localhost:3000. */
export function firstKeyNotice(key: string, baseUrl: string): string {
  const line = '='.repeat(78);
  return [
    '',
    line,
    `The saga coordinator is ready on ${baseUrl}.`,
    'No API key was configured, so the coordinator created an admin API key.',
    'It is shown this once (only its hash is stored). Keep it somewhere safe:',
    '',
    `    ${key}`,
    '',
    'Call the API with it:',
    `    curl -H "Authorization: Bearer ${key}" ${baseUrl}/v1/sagas`,
    'Create named keys (POST /v1/api-keys) or set API_KEYS, then revoke this one:',
    `    DELETE /v1/api-keys/${FIRST_KEY_NAME}`,
    line,
    '',
    '',
  ].join('\n');
}
