/**
 * Errors raised by the core.
 *
 * One class per condition, each with a stable string `code` and the structured
 * fields a caller needs to report it (cf. temporalio's common/errors.ts). The
 * core never throws for something that merely happens in a distributed system —
 * a late, duplicate or unknown reply is reported by `decide` as `ignored`, an
 * operator action the saga cannot take as `rejected`. A thrown SagaError means
 * the caller passed something invalid (a bad definition) or a bug broke an
 * invariant (an illegal transition, a state that does not match its definition).
 * Mapping codes to HTTP statuses or dead-letter reasons is the adapters' job.
 */
import type { DefinitionProblem } from './saga-definition';

export type SagaErrorCode =
  | 'INVALID_DEFINITION'
  | 'ILLEGAL_TRANSITION'
  | 'UNKNOWN_STEP'
  | 'DEFINITION_MISMATCH'
  | 'SAGA_NOT_STARTED'
  | 'INVALID_INPUT_REFERENCE'
  | 'INVALID_ARGUMENT'
  | 'CORRUPT_STATE'
  | 'DEFINITION_VERSION_DEPRECATED'
  | 'DEFINITION_VERSION_IN_USE';

export interface SagaErrorFields {
  sagaId?: string;
  step?: string;
  /** Whether repeating the same call may succeed. Core errors are deterministic, hence false by default. */
  retriable?: boolean;
}

export abstract class SagaError extends Error {
  abstract readonly code: SagaErrorCode;
  readonly retriable: boolean;
  readonly sagaId?: string;
  readonly step?: string;

  protected constructor(message: string, fields: SagaErrorFields = {}) {
    super(message);
    this.retriable = fields.retriable ?? false;
    if (fields.sagaId !== undefined) this.sagaId = fields.sagaId;
    if (fields.step !== undefined) this.step = fields.step;
  }
}

/** A saga definition document failed validation; `problems` lists every problem found, each with its JSON path. */
export class InvalidDefinitionError extends SagaError {
  readonly code = 'INVALID_DEFINITION' as const;
  override readonly name = 'InvalidDefinitionError';
  readonly problems: readonly DefinitionProblem[];

  constructor(problems: readonly DefinitionProblem[], definitionName?: string) {
    const shown = problems.slice(0, 5).map((p) => `${p.path || '(document)'}: ${p.message}`).join('; ');
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    super(`invalid saga definition${definitionName ? ` '${definitionName}'` : ''}: ${shown}${more}`);
    this.problems = problems;
  }
}

/** A saga or step status change that its transition table does not allow: always a bug, never fixed up silently. */
export class IllegalTransitionError extends SagaError {
  readonly code = 'ILLEGAL_TRANSITION' as const;
  override readonly name = 'IllegalTransitionError';
  readonly entity: 'saga' | 'step';
  readonly from: string;
  readonly to: string;

  constructor(entity: 'saga' | 'step', from: string, to: string, fields: { sagaId?: string; step?: string } = {}) {
    const subject = entity === 'saga' ? `saga ${fields.sagaId ?? '?'}` : `step '${fields.step ?? '?'}' of saga ${fields.sagaId ?? '?'}`;
    super(`illegal transition of ${subject}: ${from} -> ${to}`, fields);
    this.entity = entity;
    this.from = from;
    this.to = to;
  }
}

/** A step name that the saga definition does not contain. */
export class UnknownStepError extends SagaError {
  readonly code = 'UNKNOWN_STEP' as const;
  override readonly name = 'UnknownStepError';
  readonly definition: string;

  constructor(step: string, definition: string, fields: { sagaId?: string } = {}) {
    super(`saga definition '${definition}' has no step '${step}'`, { ...fields, step });
    this.definition = definition;
  }
}

/** The definition passed to `decide` is not the one the saga instance was started with. */
export class DefinitionMismatchError extends SagaError {
  readonly code = 'DEFINITION_MISMATCH' as const;
  override readonly name = 'DefinitionMismatchError';
  readonly expected: string;
  readonly actual: string;

  constructor(expected: string, actual: string, detail: string, fields: { sagaId?: string } = {}) {
    super(`saga state expects definition '${expected}' but got '${actual}': ${detail}`, fields);
    this.expected = expected;
    this.actual = actual;
  }
}

/** An event other than SagaStarted was decided for an instance that was created but never started. */
export class SagaNotStartedError extends SagaError {
  readonly code = 'SAGA_NOT_STARTED' as const;
  override readonly name = 'SagaNotStartedError';
  readonly eventType: string;

  constructor(eventType: string, fields: { sagaId?: string } = {}) {
    super(`saga ${fields.sagaId ?? '?'} has not been started; decide SagaStarted before ${eventType}`, fields);
    this.eventType = eventType;
  }
}

/** A malformed `$` reference in an input template met at run time (validation rejects these at registration). */
export class InvalidInputReferenceError extends SagaError {
  readonly code = 'INVALID_INPUT_REFERENCE' as const;
  override readonly name = 'InvalidInputReferenceError';
  readonly reference: string;

  constructor(reference: string, message: string, fields: { sagaId?: string; step?: string } = {}) {
    super(`invalid input reference '${reference}': ${message}`, fields);
    this.reference = reference;
  }
}

/** A caller passed a value outside its documented domain (e.g. `random()` outside [0, 1)). */
export class InvalidArgumentError extends SagaError {
  readonly code = 'INVALID_ARGUMENT' as const;
  override readonly name = 'InvalidArgumentError';
  readonly argument: string;

  constructor(argument: string, message: string, fields: { sagaId?: string; step?: string } = {}) {
    super(`invalid ${argument}: ${message}`, fields);
    this.argument = argument;
  }
}

/** A saga state that breaks an invariant the core relies on (hand-edited, or written by a buggy release). */
export class CorruptStateError extends SagaError {
  readonly code = 'CORRUPT_STATE' as const;
  override readonly name = 'CorruptStateError';

  constructor(message: string, fields: { sagaId?: string; step?: string } = {}) {
    super(`corrupt saga state: ${message}`, fields);
  }
}

/** A start named a definition version that was deprecated: new sagas go to a later one (omit the version for the latest). */
export class DefinitionVersionDeprecatedError extends SagaError {
  readonly code = 'DEFINITION_VERSION_DEPRECATED' as const;
  override readonly name = 'DefinitionVersionDeprecatedError';

  constructor(
    readonly definition: string,
    readonly version: number,
    readonly latest: number | null,
  ) {
    super(`version ${version} of saga definition '${definition}' is deprecated: ${latest === null ? 'no version may start new sagas' : `start version ${latest}, or omit the version`}`);
  }
}

/** A definition version cannot be deleted while sagas on it have not ended. */
export class DefinitionVersionInUseError extends SagaError {
  readonly code = 'DEFINITION_VERSION_IN_USE' as const;
  override readonly name = 'DefinitionVersionInUseError';

  constructor(
    readonly definition: string,
    readonly version: number,
    readonly notEnded: number,
  ) {
    super(`version ${version} of saga definition '${definition}' still has ${notEnded} saga(s) that have not ended (queued, running, compensating or waiting for an operator)`);
  }
}
