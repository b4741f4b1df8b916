// Starting a saga from the API. A retried request must find the saga its first try
// started: the Idempotency-Key header, or else the business key, becomes the engine's
// idempotency key (the same namespace as the start topic's idempotencyKey). A key
// reused for a different request is refused rather than answered with a saga the
// caller did not ask for.
import { Injectable } from '@nestjs/common';
import { type JsonValue } from '@saga-coordinator/participant/protocol';
import { canonicalJson } from '../../core/canonical-json';
import { checkConcurrencyKeyMapping } from '../../core/concurrency';
import { SagaEngine, type StartSagaResult } from '../../coordinator/saga-engine';
import { IdempotencyKeyConflictError, RequestValidationError } from '../errors/api-errors';
import type { Principal } from '../auth/principal';
import type { StartSagaBody } from './start-saga.dto';

const IDEMPOTENCY_KEY = /^[\x20-\x7E]{1,200}$/;

/** The engine idempotency key standing for a business key when no Idempotency-Key header is sent. */
export function businessKeyIdempotencyKey(definition: string, businessKey: string): string {
  return `business-key:${definition}:${businessKey}`;
}

export function checkIdempotencyKeyHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const key = value.trim();
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new RequestValidationError([{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-200 printable ASCII characters' }]);
  }
  return key;
}

@Injectable()
export class SagaStartService {
  constructor(private readonly engine: SagaEngine) {}

  async start(body: StartSagaBody, idempotencyKeyHeader: string | undefined, principal: Principal, traceparent?: string): Promise<StartSagaResult> {
    const headerKey = checkIdempotencyKeyHeader(idempotencyKeyHeader);
    if (body.concurrencyKey !== undefined) {
      const problems = checkConcurrencyKeyMapping(body.concurrencyKey, 'concurrencyKey', true);
      if (problems.length > 0) throw new RequestValidationError(problems.map((p) => ({ field: p.path, message: p.message })));
    }
    const key = headerKey ?? (body.businessKey !== undefined ? businessKeyIdempotencyKey(body.definition, body.businessKey) : undefined);
    const result = await this.engine.start({
      definition: body.definition,
      version: body.version,
      input: body.input,
      businessKey: body.businessKey ?? null,
      idempotencyKey: key ?? null,
      actor: principal.actor,
      traceparent: traceparent ?? null,
      concurrencyKey: body.concurrencyKey ?? null,
    });
    if (!result.created && !isSameRequest(result, body)) {
      throw new IdempotencyKeyConflictError(result.saga.sagaId, headerKey !== undefined ? 'the Idempotency-Key' : 'the business key');
    }
    return result;
  }
}

function isSameRequest({ saga }: StartSagaResult, body: StartSagaBody): boolean {
  return (
    saga.definitionName === body.definition &&
    (body.version === undefined || saga.definitionVersion === body.version) &&
    saga.businessKey === (body.businessKey ?? null) &&
    canonicalJson(saga.input as JsonValue) === canonicalJson(body.input)
  );
}
