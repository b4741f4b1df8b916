// Errors of the coordinator's services (the core has its own, see core/errors.ts).
// Same shape as the core's: a stable `code`, a `retriable` flag, structured fields.
// HTTP statuses are chosen by the API's one exception filter, never here; whether an
// error is transient is its `retriable` flag, read by the one isRetriable().
import type { RejectionCode } from '../core/decision';

/** Every code a coordinator error can carry: closed, so that the API's mapping is exhaustive. */
export type CoordinatorErrorCode =
  | 'DEFINITION_NOT_FOUND'
  | 'SAGA_NOT_FOUND'
  | 'INVALID_SAGA_INPUT'
  | OperationRefusalCode
  | 'ENGINE_UNAVAILABLE'
  | 'DATABASE_UNAVAILABLE'
  | 'CONCURRENT_UPDATE';

/** Why an operator action was refused: the core's rejection, or a quarantined saga waiting for a resume. */
export type OperationRefusalCode = RejectionCode | 'SAGA_QUARANTINED';

export interface CoordinatorErrorFields {
  sagaId?: string;
  step?: string;
  retriable?: boolean;
  cause?: unknown;
}

export abstract class CoordinatorError extends Error {
  abstract readonly code: CoordinatorErrorCode;
  readonly retriable: boolean;
  readonly sagaId?: string;
  readonly step?: string;

  protected constructor(message: string, fields: CoordinatorErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.retriable = fields.retriable ?? false;
    if (fields.sagaId !== undefined) this.sagaId = fields.sagaId;
    if (fields.step !== undefined) this.step = fields.step;
  }
}

export class DefinitionNotFoundError extends CoordinatorError {
  readonly code = 'DEFINITION_NOT_FOUND' as const;
  override readonly name = 'DefinitionNotFoundError';
  constructor(readonly definition: string, readonly version?: number) {
    super(version === undefined ? `no saga definition named '${definition}'` : `saga definition '${definition}' has no version ${version}`);
  }
}

export class SagaNotFoundError extends CoordinatorError {
  readonly code = 'SAGA_NOT_FOUND' as const;
  override readonly name = 'SagaNotFoundError';
  constructor(sagaId: string) {
    super(`no saga instance ${sagaId}`, { sagaId });
  }
}

export interface InputProblem {
  path: string;
  message: string;
}

/** The saga input does not match the definition's inputSchema. */
export class InvalidSagaInputError extends CoordinatorError {
  readonly code = 'INVALID_SAGA_INPUT' as const;
  override readonly name = 'InvalidSagaInputError';
  constructor(readonly definition: string, readonly problems: InputProblem[]) {
    super(`input does not match the input schema of '${definition}': ${problems.map((p) => `${p.path || '(input)'} ${p.message}`).join('; ')}`);
  }
}

/** An operator action the saga's current state does not allow (the core's `rejected`). */
export class OperationRejectedError extends CoordinatorError {
  override readonly name = 'OperationRejectedError';
  constructor(readonly code: OperationRefusalCode, message: string, fields: { sagaId?: string; step?: string } = {}) {
    super(message, fields);
  }
}

/** The work was not applied: the database stayed unavailable past the caller's wait, or the coordinator is stopping. */
export class EngineUnavailableError extends CoordinatorError {
  readonly code = 'ENGINE_UNAVAILABLE' as const;
  override readonly name = 'EngineUnavailableError';
  constructor(what: string) {
    super(`the coordinator could not apply ${what} in time (the database is unavailable or the coordinator is stopping); nothing was changed, retry`, { retriable: true });
  }
}

/** The first connection to PostgreSQL failed; the message names DATABASE_URL (redacted by the caller). */
export class DatabaseUnavailableError extends CoordinatorError {
  readonly code = 'DATABASE_UNAVAILABLE' as const;
  override readonly name = 'DatabaseUnavailableError';
  constructor(redactedUrl: string, cause: unknown) {
    super(`Cannot connect to PostgreSQL at DATABASE_URL=${redactedUrl}: ${(cause as Error)?.message ?? String(cause)}`, { retriable: true, cause });
  }
}

/** A guarded write found a saga changed by another transaction (another replica): retry on fresh state. */
export class ConcurrentUpdateError extends CoordinatorError {
  readonly code = 'CONCURRENT_UPDATE' as const;
  override readonly name = 'ConcurrentUpdateError';
  constructor(readonly sagas: string) {
    super(`saga instance(s) ${sagas} were changed by another transaction`, { retriable: true });
  }
}
