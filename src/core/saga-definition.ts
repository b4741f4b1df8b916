/**
 * Saga definitions: the versioned documents that describe a saga, and their
 * fully-defaulted, compiled form.
 *
 * Glossary:
 *   definition  a JSON document (`SagaDefinition`) registered under a name; the
 *               registry assigns it a version, a running instance stays on the
 *               version it started with.
 *   step        one local transaction in one participant: a `command` to
 *               execute it and, optionally, a `compensation` command that
 *               semantically undoes it.
 *   stage       one element of `steps`: a single step, or a parallel group whose
 *               members run concurrently. Stages run one after another.
 *   pivot       the point of no return. Steps before it are *compensatable*,
 *               the pivot commits the saga, steps after it are *retriable*:
 *               they have no compensation and are retried until they succeed.
 *   participant the logical name of the service that runs a step (the
 *               messaging adapter maps it to a command topic).
 *
 * Two shapes exist on purpose: `SagaDefinition` is exactly what a user writes
 * (JSON or the builder), `NormalizedSagaDefinition` is what the engine runs —
 * every default applied once (cf. temporal's compiled worker options), so the
 * state machine never asks "was this set?".
 */
import type { JsonObject, JsonValue } from '@saga-coordinator/participant/protocol';
import type { RetryPolicy } from './retry-policy';

/** Names of sagas, steps, groups and participants, and command types: the protocol's identifiers. */
export { IDENTIFIER_PATTERN } from '@saga-coordinator/participant/protocol';

/** The document a user writes. Unknown properties are rejected by validation. */
export interface SagaDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the saga input; stored verbatim, enforced by the API layer. */
  inputSchema?: JsonObject;
  /** The saga is cancelled (compensated) if it has not passed its pivot this long after it started. @default none */
  deadlineMs?: number;
  /** Compensation attempts per step before the saga escalates to FAILED (needs an operator), if minCompensationWindowMs has passed too. @default 20 */
  maxCompensationAttempts?: number;
  /** Compensations are retried at least this long after a step's first compensation attempt. 0 = count only. @default 1_800_000 */
  minCompensationWindowMs?: number;
  /** Default attempt bound of steps after the pivot before the saga escalates to FAILED. @default 10 */
  maxForwardAttempts?: number;
  steps: StepNode[];
}

export type StepNode = StepDefinition | ParallelGroupDefinition;

export interface StepDefinition {
  name: string;
  participant: string;
  command: string;
  /** Command type that undoes this step; omit for a read-only step. Not allowed after the pivot. */
  compensation?: string;
  /** Marks the pivot step (at most one, never inside a parallel group). @default false */
  pivot?: boolean;
  /** Each field defaults independently, see RetryPolicy. */
  retry?: Partial<RetryPolicy>;
  /** How long one attempt (of the command or of the compensation) may take before it counts as timed out. @default 30_000 */
  timeoutMs?: number;
  /** Input mapping template (see input-mapping.ts). @default "$.input" — the whole saga input */
  input?: JsonValue;
}

export interface ParallelGroupDefinition {
  /** At least two plain steps; they run concurrently and the group succeeds when all of them do. */
  parallel: StepDefinition[];
  name?: string;
}

export interface DefinitionProblem {
  /** JSON path into the document, e.g. `steps[2].parallel[0].retry.maxAttempts`; '' for the document itself. */
  path: string;
  message: string;
}

export const DEFINITION_DEFAULTS = Object.freeze({
  /** @default 30_000 */
  timeoutMs: 30_000,
  /** @default 20 */
  maxCompensationAttempts: 20,
  /** @default 1_800_000 (30 minutes) */
  minCompensationWindowMs: 1_800_000,
  /** @default 10 */
  maxForwardAttempts: 10,
  /** @default "$.input" */
  input: '$.input',
});

/** Where a step sits relative to the pivot (Garcia-Molina & Salem's terms). Without a pivot every step is compensatable. */
export const STEP_PHASES = ['compensatable', 'pivot', 'retriable'] as const;
export type StepPhase = (typeof STEP_PHASES)[number];

export interface NormalizedStep {
  name: string;
  participant: string;
  command: string;
  compensation: string | null;
  phase: StepPhase;
  /** Index of the stage holding this step. */
  stage: number;
  retry: RetryPolicy;
  timeoutMs: number;
  input: JsonValue;
}

export interface NormalizedStage {
  index: number;
  /** The group's name, or null for an unnamed group or a single step. */
  name: string | null;
  parallel: boolean;
  steps: NormalizedStep[];
}

/**
 * Bumped whenever the normalized shape changes; persistence/definition.reader.ts
 * upgrades stored versions of every earlier format (a stored version keeps the
 * behaviour it was registered with). 1: no `format` field; 2: retry windows.
 */
export const NORMALIZED_DEFINITION_FORMAT = 2 as const;

/** A validated definition with every default applied. Plain JSON, so it can be stored and hashed. */
export interface NormalizedSagaDefinition {
  format: typeof NORMALIZED_DEFINITION_FORMAT;
  name: string;
  description: string | null;
  inputSchema: JsonObject | null;
  deadlineMs: number | null;
  maxCompensationAttempts: number;
  minCompensationWindowMs: number;
  maxForwardAttempts: number;
  /** Name of the pivot step, if any. */
  pivot: string | null;
  stages: NormalizedStage[];
}

export function isParallelGroup(node: StepNode): node is ParallelGroupDefinition {
  return 'parallel' in node;
}
