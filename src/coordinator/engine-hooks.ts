// Where observability plugs into the engine: metrics, traces and logs see every decision
// after its transaction committed, every batch, dead letter and quarantine, and may add
// headers (W3C trace context) to the messages a saga sends. The engine works the same
// with the no-op hooks; nothing here may change what the engine decides or writes.
import type { DecidedEvent } from './decision-rows';
import type { RegisteredDefinition } from './saga-definition.service';

export interface CommittedDecision extends DecidedEvent {
  definition: RegisteredDefinition;
  /** The saga's W3C trace context (traceparent), if it has one. */
  traceContext: string | null;
}

export interface BatchStats {
  events: number;
  starts: number;
  timersFired: number;
  durationMs: number;
  /** Events waiting when the batch was taken. */
  queued: number;
}

export interface MessageContext {
  kind: 'command' | 'lifecycle-event';
  sagaId: string;
  step?: string;
  action?: string;
  attempt?: number;
}

export interface EngineHooks {
  /** The trace context a new saga is recorded with: continue the initiator's (`incoming`), start one, or null. */
  traceContextForStart(incoming: string | null, saga: { sagaId: string; definition: string; version: number }): string | null;
  /** Extra Kafka headers of a message a saga sends (e.g. traceparent of a span for the command). */
  messageHeaders(traceContext: string | null, message: MessageContext): Record<string, string>;
  /** After commit, for every decided event (applied, ignored or rejected). */
  committed(decisions: CommittedDecision[], stats: BatchStats): void;
  deadLettered(reasonCode: string, sourceTopic: string, reason?: string): void;
  quarantined(sagaId: string, reason: string): void;
}

export const ENGINE_HOOKS = Symbol('ENGINE_HOOKS');

/** Provided by the observability module when the app has one; ENGINE_HOOKS falls back to NO_HOOKS without it. */
export const OBSERVABILITY_HOOKS = Symbol('OBSERVABILITY_HOOKS');

export const NO_HOOKS: EngineHooks = {
  traceContextForStart: () => null,
  messageHeaders: () => ({}),
  committed: () => undefined,
  deadLettered: () => undefined,
  quarantined: () => undefined,
};
