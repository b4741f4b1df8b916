// Errors of the coordinator's services (the core has its own, see core/errors.ts).
// Same shape as the core's: a stable `code`, a `retriable` flag, structured fields.
// HTTP statuses are chosen by the API's one exception filter, never here.

export abstract class CoordinatorError extends Error {
  abstract readonly code: string;
  readonly retriable: boolean = false;
  readonly sagaId?: string;
  readonly step?: string;

  protected constructor(message: string, fields: { sagaId?: string; step?: string } = {}) {
    super(message);
    if (fields.sagaId !== undefined) this.sagaId = fields.sagaId;
    if (fields.step !== undefined) this.step = fields.step;
  }
}

export class DefinitionNotFoundError extends CoordinatorError {
  readonly code = 'DEFINITION_NOT_FOUND';
  override readonly name = 'DefinitionNotFoundError';
  constructor(readonly definition: string, readonly version?: number) {
    super(version === undefined ? `no saga definition named '${definition}'` : `saga definition '${definition}' has no version ${version}`);
  }
}

export class SagaNotFoundError extends CoordinatorError {
  readonly code = 'SAGA_NOT_FOUND';
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
  readonly code = 'INVALID_SAGA_INPUT';
  override readonly name = 'InvalidSagaInputError';
  constructor(readonly definition: string, readonly problems: InputProblem[]) {
    super(`input does not match the input schema of '${definition}': ${problems.map((p) => `${p.path || '(input)'} ${p.message}`).join('; ')}`);
  }
}

/** An operator action the saga's current state does not allow (the core's `rejected`). */
export class OperationRejectedError extends CoordinatorError {
  override readonly name = 'OperationRejectedError';
  constructor(readonly code: string, message: string, fields: { sagaId?: string; step?: string } = {}) {
    super(message, fields);
  }
}
