// Errors of the HTTP layer itself (validation, authentication, request conflicts). They
// know their HTTP status because they exist only here; errors of the core and the
// coordinator are mapped to statuses by code, in problem-mapping.ts.

/** One problem with one field of a request: `field` is a dotted path (`filter.status`, `input/amount`). */
export interface FieldError {
  field: string;
  message: string;
}

export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Field errors, for a 400. */
  readonly errors?: FieldError[];
  /** Response headers the error requires (WWW-Authenticate). */
  readonly headers: Record<string, string> = {};
  /** Extra members of the problem document. */
  readonly extensions: Record<string, unknown> = {};
}

export class RequestValidationError extends ApiError {
  readonly status = 400;
  readonly code = 'VALIDATION_FAILED';
  override readonly name = 'RequestValidationError';
  constructor(override readonly errors: FieldError[]) {
    super(`the request is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="saga-coordinator"' };

export class ApiKeyMissingError extends ApiError {
  readonly status = 401;
  readonly code = 'API_KEY_MISSING';
  override readonly name = 'ApiKeyMissingError';
  override readonly headers = CHALLENGE;
  constructor() {
    super('this endpoint needs an API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
  }
}

export class ApiKeyInvalidError extends ApiError {
  readonly status = 401;
  readonly code = 'API_KEY_INVALID';
  override readonly name = 'ApiKeyInvalidError';
  override readonly headers = { 'WWW-Authenticate': 'Bearer realm="saga-coordinator", error="invalid_token"' };
  constructor() {
    super('the API key is not valid (unknown or revoked)');
  }
}

export class RoleForbiddenError extends ApiError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
  override readonly name = 'RoleForbiddenError';
  constructor(role: string, required: string) {
    super(`this action needs the ${required} role; the API key has the ${role} role`);
    this.extensions.requiredRole = required;
  }
}

/** Too many failed authentications from one client address (see AuthFailureLimiter); successful ones are never refused. */
export class TooManyFailedAuthenticationsError extends ApiError {
  readonly status = 429;
  readonly code = 'TOO_MANY_FAILED_AUTHENTICATIONS';
  override readonly name = 'TooManyFailedAuthenticationsError';
  override readonly headers: Record<string, string>;
  constructor(retryAfterSeconds: number) {
    super(`too many requests with a missing or wrong API key from this address; retry in ${retryAfterSeconds} s with a valid key`);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

/** A route without a declared role: denied rather than left open. */
export class RouteNotAuthorizedError extends ApiError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
  override readonly name = 'RouteNotAuthorizedError';
  constructor() {
    super('no role may call this endpoint');
  }
}

export class IdempotencyKeyConflictError extends ApiError {
  readonly status = 409;
  readonly code = 'IDEMPOTENCY_KEY_CONFLICT';
  override readonly name = 'IdempotencyKeyConflictError';
  constructor(readonly sagaId: string, what: 'the Idempotency-Key' | 'the business key') {
    super(`${what} was already used to start saga ${sagaId} with a different request; use a new key for a different saga`);
    this.extensions.sagaId = sagaId;
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  readonly status = 415;
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  override readonly name = 'UnsupportedMediaTypeError';
  constructor() {
    super('request bodies must be JSON: send Content-Type: application/json');
  }
}

export class ApiKeyNameTakenError extends ApiError {
  readonly status = 409;
  readonly code = 'API_KEY_NAME_TAKEN';
  override readonly name = 'ApiKeyNameTakenError';
  constructor() {
    super('an API key with this name exists or existed (names of revoked keys are not reused, so history stays unambiguous)');
  }
}

export class ApiKeyNotFoundError extends ApiError {
  readonly status = 404;
  readonly code = 'API_KEY_NOT_FOUND';
  override readonly name = 'ApiKeyNotFoundError';
  constructor() {
    super('no API key with this name');
  }
}

export class ApiKeyFromEnvironmentError extends ApiError {
  readonly status = 409;
  readonly code = 'API_KEY_FROM_ENVIRONMENT';
  override readonly name = 'ApiKeyFromEnvironmentError';
  constructor() {
    super('this API key comes from the API_KEYS variable; remove it there and restart');
  }
}

export class ParticipantNotFoundError extends ApiError {
  readonly status = 404;
  readonly code = 'PARTICIPANT_NOT_FOUND';
  override readonly name = 'ParticipantNotFoundError';
  constructor(name: string) {
    super(`no participant named '${name}' is known to this coordinator (none of its definitions sends to it)`);
  }
}
