// The participant SDK's public entry point (package export "."). The NestJS module is
// "./nest", so that this entry never loads @nestjs/* (an optional peer dependency).
export { Participant } from './participant';
export type { ParticipantOptions, ParticipantKafka, ParticipantDatabase, CompiledParticipantOptions } from './participant-options';
export type { StepHandler, SomeStepHandler, HandlerContext, CompensationData } from './step-handler';
export { success, failure, retry, type StepSuccess, type StepFailure, type StepRetry, type ExecuteOutcome, type CompensateOutcome } from './step-outcome';
export { jsonLineLogger, type ParticipantLogger, type ParticipantLogLevel } from './participant-logger';
export { ParticipantError, InvalidParticipantOptionsError, DuplicateHandlerError, NoDatabaseError, ParticipantStateError, REPLY_ERROR_CODES } from './participant-errors';
export { migrateParticipantSchema, participantMigrationsDir, PARTICIPANT_MIGRATIONS_TABLE } from './participant-migrations';
export { NULL_COMPENSATION_OUTPUT } from './reply-builder';
export { KafkaBus, type KafkaBusOptions } from './kafka/kafka-bus';
export type { JsonValue, JsonObject } from './protocol/json';
export type { CommandMessage, ReplyMessage } from './protocol/protocol';
export { isRetriable } from './retriable';
export type { MetricsRegistry } from './participant-telemetry';
