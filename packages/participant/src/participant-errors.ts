// Errors of the participant SDK: a stable `code` and a `retriable` flag, like the
// coordinator's. Codes that travel in replies (`error.code`) are listed in
// REPLY_ERROR_CODES so participants in other languages can use the same words.

export type ParticipantErrorCode = 'INVALID_PARTICIPANT_OPTIONS' | 'DUPLICATE_HANDLER' | 'NO_DATABASE' | 'PARTICIPANT_STATE';

export abstract class ParticipantError extends Error {
  abstract readonly code: ParticipantErrorCode;
  readonly retriable: boolean = false;
}

/** The options given to a Participant are unusable; `problems` names each one. */
export class InvalidParticipantOptionsError extends ParticipantError {
  readonly code = 'INVALID_PARTICIPANT_OPTIONS' as const;
  override readonly name = 'InvalidParticipantOptionsError';
  constructor(readonly problems: string[]) {
    super(`invalid participant options: ${problems.join('; ')}`);
  }
}

/** Two handlers claim the same command type for the same action. */
export class DuplicateHandlerError extends ParticipantError {
  readonly code = 'DUPLICATE_HANDLER' as const;
  override readonly name = 'DuplicateHandlerError';
  constructor(readonly commandType: string, readonly action: 'execute' | 'compensate') {
    super(`a handler for ${action} of command type '${commandType}' is already registered`);
  }
}

/** A handler asked for `ctx.tx` in a participant configured without a database. */
export class NoDatabaseError extends ParticipantError {
  readonly code = 'NO_DATABASE' as const;
  override readonly name = 'NoDatabaseError';
  constructor(participant: string) {
    super(`participant '${participant}' runs without a database: ctx.tx is unavailable (configure \`database\` to get the barrier and a transaction)`);
  }
}

/** handle() after start(), or stop() hooks used out of order. */
export class ParticipantStateError extends ParticipantError {
  readonly code = 'PARTICIPANT_STATE' as const;
  override readonly name = 'ParticipantStateError';
}

/** `error.code` values the SDK itself puts in replies. */
export const REPLY_ERROR_CODES = {
  /** No handler for this command type: execute → failure (saga compensates); compensate → failure (coordinator retries). */
  unknownCommandType: 'UNKNOWN_COMMAND_TYPE',
  /** The execute arrived after a compensation of the same step had been recorded: refused, nothing applied. */
  alreadyCompensated: 'STEP_ALREADY_COMPENSATED',
  /** The payload does not match the handler's inputSchema: execute → failure. */
  invalidInput: 'INVALID_INPUT',
  /** The command's deadline had passed before it was started: nothing applied; the coordinator decides. */
  deadlinePassed: 'DEADLINE_PASSED',
  /** The handler threw something it did not classify: retried. */
  handlerError: 'HANDLER_ERROR',
  /** The participant's database could not be used: retried. */
  databaseUnavailable: 'PARTICIPANT_DATABASE_UNAVAILABLE',
} as const;
