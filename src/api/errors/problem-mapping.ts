// Every error a request can meet, mapped to an RFC 9457 problem document: a stable
// `code`, the HTTP status, a message meant for the caller and the field errors. The
// core and the coordinator raise errors with codes and no notion of HTTP; this table
// is the one place that gives those codes a status. Anything unknown becomes a bare
// 500: its message may hold SQL or internals, so it is logged, never sent.
import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { isRetriable } from '@saga-coordinator/participant';
import { CoordinatorError, InvalidSagaInputError, type CoordinatorErrorCode } from '../../coordinator/coordinator-errors';
import { InvalidDefinitionError, SagaError, type SagaErrorCode } from '../../core/errors';
import { ApiError } from './api-errors';
import { problem, type ProblemDocument } from './problem-document';
import { withoutSubmittedValues } from './submitted-values';

export interface MappedProblem {
  problem: ProblemDocument;
  headers: Record<string, string>;
  /** The error is not the caller's: log it with its stack. */
  unexpected: boolean;
}

/**
 * The status of every code of the core and the coordinator: exhaustive, so a new code
 * does not compile until it has one. 500 marks a bug (the answer hides the message),
 * 503 a transient condition (answered with Retry-After).
 */
export const DOMAIN_ERROR_STATUS: Readonly<Record<SagaErrorCode | CoordinatorErrorCode, 400 | 404 | 409 | 500 | 503>> = Object.freeze({
  INVALID_DEFINITION: 400,
  INVALID_SAGA_INPUT: 400,
  REASON_REQUIRED: 400,
  INVALID_INPUT_REFERENCE: 400,
  DEFINITION_NOT_FOUND: 404,
  SAGA_NOT_FOUND: 404,
  UNKNOWN_STEP: 404,
  SAGA_FINISHED: 409,
  SAGA_NOT_CANCELLABLE: 409,
  SAGA_NOT_FAILED: 409,
  STEP_NOT_RETRYABLE: 409,
  NOTHING_TO_RETRY: 409,
  STEP_NOT_OVERRIDABLE: 409,
  SAGA_QUARANTINED: 409,
  SAGA_QUEUED: 409,
  DEFINITION_VERSION_DEPRECATED: 409,
  DEFINITION_VERSION_IN_USE: 409,
  ILLEGAL_TRANSITION: 500,
  DEFINITION_MISMATCH: 500,
  SAGA_NOT_STARTED: 500,
  INVALID_ARGUMENT: 500,
  CORRUPT_STATE: 500,
  ENGINE_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  CONCURRENT_UPDATE: 503,
});

const HTTP_CODES: Readonly<Record<number, string>> = Object.freeze({
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
});

/**
 * The problem document for an error. `submitted` are the strings the request carried
 * (see submitted-values.ts): the texts of domain errors may quote them, so they are scrubbed.
 */
export function mapErrorToProblem(err: unknown, instance?: string, submitted: string[] = []): MappedProblem {
  const mapped = map(err);
  if (err instanceof SagaError || err instanceof CoordinatorError) mapped.problem = withoutSubmittedValues(mapped.problem, submitted);
  if (instance !== undefined) mapped.problem.instance = instance;
  return mapped;
}

function map(err: unknown): MappedProblem {
  if (err instanceof ApiError) {
    return { problem: problem(err.status, err.code, err.message, { ...(err.errors ? { errors: err.errors } : {}), ...err.extensions }), headers: err.headers, unexpected: false };
  }
  if (err instanceof SagaError || err instanceof CoordinatorError) {
    const status = DOMAIN_ERROR_STATUS[err.code];
    if (status === 503) return unavailable();
    if (status === 500) return internal();
    const extra: Partial<ProblemDocument> = {};
    if (err.sagaId !== undefined) extra.sagaId = err.sagaId;
    if (err.step !== undefined) extra.step = err.step;
    if (err instanceof InvalidDefinitionError) extra.errors = err.problems.map((p) => ({ field: p.path || '(document)', message: p.message }));
    if (err instanceof InvalidSagaInputError) extra.errors = err.problems.map((p) => ({ field: `input${p.path}`, message: p.message }));
    return { problem: problem(status, err.code, err.message, extra), headers: {}, unexpected: false };
  }
  if (err instanceof HttpException) return fromHttpException(err);
  const bodyParserProblem = fromBodyParser(err);
  if (bodyParserProblem) return bodyParserProblem;
  if (isRetriable(err)) return unavailable();
  return internal();
}

function unavailable(): MappedProblem {
  return { problem: problem(503, 'SERVICE_UNAVAILABLE', 'a dependency (PostgreSQL or Kafka) is unavailable; retry later'), headers: { 'Retry-After': '1' }, unexpected: true };
}

function internal(): MappedProblem {
  return { problem: problem(500, 'INTERNAL_ERROR', 'an unexpected error occurred; it has been logged'), headers: {}, unexpected: true };
}

function fromHttpException(err: HttpException): MappedProblem {
  const status = err.getStatus();
  if (status === 404) {
    // Nest's router: "Cannot GET /path". Our own not-found cases are ApiErrors or domain errors.
    return { problem: problem(404, 'ROUTE_NOT_FOUND', 'no such endpoint; see /docs for the API'), headers: {}, unexpected: false };
  }
  if (status === 400) {
    // Nest maps body-parser's JSON SyntaxError (and a bad %-encoding in the URL) to a bare BadRequestException.
    return { problem: problem(400, 'MALFORMED_REQUEST', 'the request could not be parsed: the body must be valid JSON and the URL correctly encoded'), headers: {}, unexpected: false };
  }
  if (status >= 500) return internal();
  const code = HTTP_CODES[status] ?? `HTTP_${status}`;
  return { problem: problem(status, code, STATUS_CODES[status] ?? 'request refused'), headers: {}, unexpected: false };
}

interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && typeof (err as BodyParserError).type === 'string' && typeof (err as BodyParserError).status === 'number';
}

function fromBodyParser(err: unknown): MappedProblem | undefined {
  if (!isBodyParserError(err)) return undefined;
  switch (err.type) {
    case 'entity.too.large':
      return { problem: problem(413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than the limit (API_BODY_LIMIT)'), headers: {}, unexpected: false };
    case 'encoding.unsupported':
      // Compressed bodies are refused rather than inflated: a small gzip can inflate far beyond API_BODY_LIMIT's intent.
      return { problem: problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must not be compressed (no Content-Encoding)'), headers: {}, unexpected: false };
    case 'charset.unsupported':
      return { problem: problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must be UTF-8 JSON'), headers: {}, unexpected: false };
    case 'entity.utf8.invalid':
      return { problem: problem(400, 'MALFORMED_REQUEST', 'the request body is not valid UTF-8'), headers: {}, unexpected: false };
    default:
      // Anything else body-parser or raw-body reports with a 4xx is the request's fault: a body that cannot be read.
      if (err.status >= 400 && err.status < 500) return { problem: problem(400, 'MALFORMED_REQUEST', 'the request body could not be read as JSON'), headers: {}, unexpected: false };
      return undefined;
  }
}
