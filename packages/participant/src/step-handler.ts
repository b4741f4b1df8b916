/**
 * Step handlers: what a participant service writes. One handler serves one step
 * type: the command that executes it and, optionally, the command that compensates
 * it (the step's `command` and `compensation` in the saga definition).
 *
 * With a database, both run inside the participant's own transaction (`ctx.tx`)
 * together with the barrier row: whatever the handler writes through `ctx.tx`
 * commits if and only if its outcome is recorded. Writes made elsewhere (another
 * connection, an HTTP call) are outside that guarantee.
 */
import type { PoolClient } from 'pg';
import type { JsonObject } from './protocol/json';
import type { DefinitionRef } from './protocol/protocol';
import type { ParticipantLogger } from './participant-logger';
import type { CompensateOutcome, ExecuteOutcome } from './step-outcome';

export interface HandlerContext {
  readonly participant: string;
  readonly sagaId: string;
  readonly step: string;
  readonly attempt: number;
  readonly commandType: string;
  /** The command's messageId (`<sagaId>:<step>:<action>:<attempt>`). */
  readonly messageId: string;
  readonly definition: DefinitionRef;
  /** After this instant the coordinator no longer waits for this attempt. */
  readonly deadlineAt: Date;
  /** The transaction holding the barrier row. Throws NoDatabaseError in a participant without a database. */
  readonly tx: PoolClient;
  readonly log: ParticipantLogger;
}

export interface CompensationData<I, O> {
  /** The execute's input (the same payload every attempt carried). */
  input: I;
  /**
   * The execute's output. With a database it is the output this participant
   * recorded, so it is there even when the coordinator never received the reply
   * (the execute timed out but did apply). Without one, what the coordinator has, or null.
   */
  output: O | null;
}

export interface StepHandler<I = unknown, O = unknown> {
  /** Command type of the execute: the step's `command`. */
  readonly command: string;
  /** Command type of the compensation: the step's `compensation`. Omit for a step with nothing to undo. */
  readonly compensation?: string;
  /**
   * JSON Schema of the execute's input. A payload that does not match is answered
   * with a business failure (INVALID_INPUT) without calling the handler.
   */
  readonly inputSchema?: JsonObject;
  execute(input: I, ctx: HandlerContext): Promise<ExecuteOutcome<O>>;
  /** Called only when this participant recorded the execute as applied (see the barrier in docs/participant-sdk.md). */
  compensate?(data: CompensationData<I, O>, ctx: HandlerContext): Promise<CompensateOutcome>;
}

/**
 * A handler whatever its input and output types: the type of a list of handlers, or
 * of the handler classes given to ParticipantModule. Every StepHandler<I, O> is one.
 */
export interface SomeStepHandler {
  readonly command: string;
  readonly compensation?: string;
  readonly inputSchema?: JsonObject;
  execute(input: never, ctx: HandlerContext): Promise<ExecuteOutcome<unknown>>;
  compensate?(data: never, ctx: HandlerContext): Promise<CompensateOutcome>;
}
