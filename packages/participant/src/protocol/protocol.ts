/**
 * Wire protocol: the JSON envelopes exchanged over Kafka, as TypeScript types.
 *
 * Glossary (the same words as in the database and the core):
 *   command   what the coordinator asks a participant to do: `execute` a step or
 *             `compensate` it (semantically undo it); one command per attempt.
 *   attempt   the 1-based number of a command for one (saga, step, action); a
 *             retry is a new attempt with a new messageId.
 *   reply     the participant's answer to one command, correlated by the
 *             command's messageId.
 *   outcome   `success`; `failure` = business failure (the saga compensates);
 *             `retry` = retryable failure (the coordinator retries per policy).
 *   lifecycle event  a notification about a saga instance for observers.
 *
 * These types are the contract; the JSON Schemas in ./schemas validate messages
 * at the edge (protocol-validation.ts). Only types and tiny pure helpers here.
 */
import type { JsonObject, JsonValue } from './json';

export const PROTOCOL_VERSION = 1 as const;
export type ProtocolVersion = typeof PROTOCOL_VERSION;

export type StepAction = 'execute' | 'compensate';
export const STEP_ACTIONS: readonly StepAction[] = ['execute', 'compensate'];

export type ReplyOutcome = 'success' | 'failure' | 'retry';
export const REPLY_OUTCOMES: readonly ReplyOutcome[] = ['success', 'failure', 'retry'];

export interface DefinitionRef {
  name: string;
  version: number;
}

export interface ReplyError {
  /** Participant-defined, machine-readable. */
  code?: string;
  message: string;
}

/** Coordinator → participant. Keyed by sagaId on the participant's command topic. */
export interface CommandMessage {
  protocolVersion: ProtocolVersion;
  /** Deterministic: `${sagaId}:${step}:${action}:${attempt}`; participants dedupe on it. */
  messageId: string;
  sagaId: string;
  definition: DefinitionRef;
  step: string;
  action: StepAction;
  attempt: number;
  commandType: string;
  replyTopic: string;
  /** ISO-8601; the coordinator stops waiting for this attempt's reply at this instant. */
  deadlineAt: string;
  /** `execute`: the step's resolved input. `compensate`: `{ input, output }` of the step (see CompensationPayload). */
  payload: JsonValue;
}

/** The payload of a `compensate` command: what the step was given and what it answered (null when it never answered). */
export interface CompensationPayload {
  input: JsonValue;
  output: JsonValue;
}

/** Participant → coordinator. */
export interface ReplyMessage {
  protocolVersion: ProtocolVersion;
  messageId: string;
  /** The messageId of the command this answers. */
  correlationId: string;
  sagaId: string;
  step: string;
  action: StepAction;
  attempt: number;
  outcome: ReplyOutcome;
  output?: JsonValue;
  error?: ReplyError;
}

/** Initiator → coordinator: start an instance. Redelivery with the same idempotencyKey starts nothing new. */
export interface StartSagaMessage {
  protocolVersion: ProtocolVersion;
  idempotencyKey: string;
  /** Definition name. */
  definition: string;
  /** Omitted: the latest registered version. */
  version?: number;
  input: JsonValue;
  businessKey?: string;
  /** One saga at a time per key: a `$.input…` reference or the key itself; overrides the definition's concurrencyKey. */
  concurrencyKey?: string;
}

export const LIFECYCLE_EVENT_TYPES = [
  'saga.started',
  'step.started',
  'step.skipped',
  'step.succeeded',
  'step.failed',
  'step.retrying',
  'saga.compensating',
  'step.compensated',
  'saga.completed',
  'saga.compensated',
  'saga.failed',
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

/** Coordinator → observers. */
export interface LifecycleEventMessage {
  protocolVersion: ProtocolVersion;
  eventId: string;
  eventType: LifecycleEventType;
  sagaId: string;
  definition: DefinitionRef;
  step?: string;
  /** The instance's business key, when it was started with one: lets an initiator match events to its requests. */
  businessKey?: string;
  /** The idempotency key the saga was started with (start topic or Idempotency-Key header), when it had one. */
  idempotencyKey?: string;
  /** ISO-8601. */
  occurredAt: string;
  data?: JsonObject;
}

/** The messageId of a command. Deterministic so that re-deciding the same event re-sends the same id. */
export function commandMessageId(sagaId: string, step: string, action: StepAction, attempt: number): string {
  return `${sagaId}:${step}:${action}:${attempt}`;
}

/** Epoch milliseconds → the ISO-8601 text used on the wire. */
export function toWireTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Whether a reply's correlationId is the messageId of the command it claims to answer; a mismatch is a malformed reply. */
export function replyCorrelates(reply: Pick<ReplyMessage, 'correlationId' | 'sagaId' | 'step' | 'action' | 'attempt'>): boolean {
  return reply.correlationId === commandMessageId(reply.sagaId, reply.step, reply.action, reply.attempt);
}
