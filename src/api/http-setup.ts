// How the HTTP server treats every request, applied by createApp so that tests run
// exactly what users run: a JSON body parser with a size limit and no decompression,
// the storable-input pipe then one validation pipe, one exception filter (problem+json
// for every error, and for what Node's HTTP parser refuses), a bounded drain when it
// stops, and the OpenAPI document.
import { INestApplication, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config';
import { JSON_MEDIA_TYPES } from './auth/json-body.guard';
import { answerMalformedHttp } from './errors/malformed-http';
import { drainOnClose } from './http-drain';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { validationException } from './errors/validation-errors';
import { StorableInputPipe } from './validation/storable-input.pipe';

/** NestFactory options: the body parser is ours (configureHttp), not Nest's default one without a chosen limit. */
export const HTTP_FACTORY_OPTIONS = { bodyParser: false } as const;

export function configureHttp(app: INestApplication, config: AppConfig): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.useBodyParser('json', { limit: config.API_BODY_LIMIT, type: JSON_MEDIA_TYPES, strict: true, inflate: false, verify: verifyUtf8 });
  app.useGlobalPipes(
    new StorableInputPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // Field errors name the field and the rule, never echo the value (it may be a secret).
      validationError: { target: false, value: false },
      exceptionFactory: validationException,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  answerMalformedHttp(app.getHttpServer());
  drainOnClose(app.getHttpServer());
  if (config.API_DOCS) serveOpenApi(app);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bodies are UTF-8 (RFC 8259). body-parser would decode a UTF-16 charset, and replace
 * invalid bytes by U+FFFD, storing text the client never sent.
 */
function verifyUtf8(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() !== 'utf-8') throw Object.assign(new Error('bodies must be UTF-8'), { status: 415, type: 'charset.unsupported' });
  try {
    utf8.decode(body);
  } catch {
    throw Object.assign(new Error('the body is not valid UTF-8'), { status: 400, type: 'entity.utf8.invalid' });
  }
}

/** The document is built on its first request (then kept): scanning every route takes 60 ms that a starting process would spend before it answers anything. */
function serveOpenApi(app: INestApplication): void {
  const buildDocument = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Saga coordinator')
        .setDescription(
          'Start, watch and repair orchestrated sagas. Every /v1 endpoint needs an API key (Authorization: Bearer <key>, or X-API-Key) with the role named in its summary: viewer < operator < admin. Errors are application/problem+json with a stable `code`. See docs/api.md.',
        )
        .setVersion('1')
        // Not addBearerAuth: it declares bearerFormat JWT, and our keys are opaque strings.
        .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'an API key (an opaque string, not a JWT)' })
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
        .build(),
    );
  SwaggerModule.setup('docs', app, buildDocument, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
