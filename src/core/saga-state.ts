/**
 * The state of one saga instance: a plain JSON object.
 *
 * It is stored as JSONB and reloaded for every event, so it holds only JSON —
 * times are epoch milliseconds, maps are objects keyed by step name, absent
 * values are `null` (never `undefined`, which a round trip would drop). It does
 * not embed the definition: definitions are immutable per (name, version), so
 * the caller passes the normalized definition to `decide` and every stored row
 * stays small. The state plus that definition is everything needed to continue
 * after a restart. (Rejected: embedding the definition in the state. It would
 * make the state self-contained, but every update of every instance would
 * rewrite the whole definition, and a definition version is immutable anyway.)
 *
 * Glossary: instance = one run of a definition (`sagaId`); attempt = one
 * command for a step and an action, numbered from 1; `seq` counts applied
 * events and is what optimistic concurrency and event ids build on.
 */
import { InvalidArgumentError } from './errors';
import { cloneJson, isJsonValue, type JsonValue, type DefinitionRef, type StepAction } from '@saga-coordinator/participant/protocol';
import type { NormalizedSagaDefinition } from './saga-definition';
import type { SagaStatus, StepStatus } from './saga-status';
import { stepsOf } from './definition-normalization';

/**
 * Bumped whenever the stored shape changes; persistence/saga-state.reader.ts
 * upgrades rows of every earlier format. 2: budgetStartedAt and
 * compensationBudgetStartedAt (retry windows).
 */
export const SAGA_STATE_FORMAT = 2 as const;

export interface StepErrorRecord {
  action: StepAction;
  attempt: number;
  /** ATTEMPT_TIMED_OUT for a timeout, else the participant's code, if any. */
  code: string | null;
  message: string;
  at: number;
}

/**
 * Why a step waits for an operator:
 * - FORWARD_ATTEMPTS_EXHAUSTED: a step after the pivot used up its attempts.
 * - STEP_FAILED_AFTER_PIVOT: a step after the pivot replied with a business failure; it cannot be compensated.
 * - PIVOT_OUTCOME_UNKNOWN: the pivot may have applied (an attempt timed out) and has no compensation: going forward or back would both be a guess.
 * - COMPENSATION_ATTEMPTS_EXHAUSTED: a compensation used up maxCompensationAttempts.
 */
export const ATTENTION_REASONS = ['FORWARD_ATTEMPTS_EXHAUSTED', 'STEP_FAILED_AFTER_PIVOT', 'PIVOT_OUTCOME_UNKNOWN', 'COMPENSATION_ATTEMPTS_EXHAUSTED'] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

/** Why a saga began to compensate. */
export const COMPENSATION_CAUSES = ['step-failed', 'cancel-requested', 'deadline-reached', 'step-overridden'] as const;
export type CompensationCause = (typeof COMPENSATION_CAUSES)[number];

export interface AttentionRecord {
  reason: AttentionReason;
  message: string;
  at: number;
}

export interface OverrideRecord {
  as: 'succeeded' | 'compensated';
  by: string;
  reason: string;
  at: number;
}

export interface StepState {
  status: StepStatus;
  /** Number of the last `execute` command sent; 0 = never sent. Only grows, so every command id is new. */
  attempt: number;
  /** `execute` attempts counted against retry.maxAttempts; an operator retry resets it. */
  attemptsSinceReset: number;
  /** When the first `execute` attempt of the current budget was sent (for retry.minRetryWindowMs). */
  budgetStartedAt: number | null;
  /** Number of the last `compensate` command sent; 0 = never sent. */
  compensationAttempt: number;
  /** `compensate` attempts counted against maxCompensationAttempts; an operator retry resets it. */
  compensationAttemptsSinceReset: number;
  /** When the first `compensate` attempt of the current budget was sent (for minCompensationWindowMs). */
  compensationBudgetStartedAt: number | null;
  /** An attempt timed out without a reply, so the participant may have applied the step. Never reset. */
  mayHaveApplied: boolean;
  /** When the current wait ends: the attempt's deadline (RUNNING, COMPENSATING) or the backoff's end (*_RETRY_WAIT). */
  dueAt: number | null;
  /** The payload resolved by the input mapping when the step first started; every attempt sends this same value. */
  input: JsonValue | null;
  output: JsonValue | null;
  lastError: StepErrorRecord | null;
  needsAttention: AttentionRecord | null;
  override: OverrideRecord | null;
  startedAt: number | null;
  succeededAt: number | null;
  compensatedAt: number | null;
}

/** Why the saga began to compensate. */
export interface CompensationReason {
  cause: CompensationCause;
  step: string | null;
  by: string | null;
  message: string;
  at: number;
}

/** Set while the saga is FAILED: where it came from and which steps wait for an operator. */
export interface Escalation {
  from: 'RUNNING' | 'COMPENSATING';
  steps: string[];
  at: number;
}

export interface SagaState {
  format: typeof SAGA_STATE_FORMAT;
  sagaId: string;
  definition: DefinitionRef;
  input: JsonValue;
  status: SagaStatus;
  /** Every step of the definition, by name, in definition order. */
  steps: Record<string, StepState>;
  /** Names of steps in the order they succeeded. */
  completionOrder: string[];
  /** Absolute saga deadline, set when the saga starts; null without one. */
  deadlineAt: number | null;
  compensationReason: CompensationReason | null;
  escalation: Escalation | null;
  createdAt: number;
  /** Null until SagaStarted has been decided. */
  startedAt: number | null;
  updatedAt: number;
  finishedAt: number | null;
  /** Number of events applied (ignored and rejected ones do not count). */
  seq: number;
}

export interface CreateSagaStateParams {
  sagaId: string;
  definition: NormalizedSagaDefinition;
  definitionVersion: number;
  input: JsonValue;
  now: number;
}

/**
 * A new instance, every step PENDING. Decide `SagaStarted` on it next (the
 * adapter does both in the transaction that accepts the saga).
 */
export function createSagaState(params: CreateSagaStateParams): SagaState {
  const { sagaId, definition, definitionVersion, input, now } = params;
  if (typeof sagaId !== 'string' || sagaId === '') throw new InvalidArgumentError('sagaId', 'must be a non-empty string');
  if (!Number.isSafeInteger(definitionVersion) || definitionVersion < 1) {
    throw new InvalidArgumentError('definitionVersion', `must be a positive integer, got ${definitionVersion}`, { sagaId });
  }
  if (!isJsonValue(input)) throw new InvalidArgumentError('input', 'must be a JSON value', { sagaId });
  if (!Number.isFinite(now)) throw new InvalidArgumentError('now', 'must be epoch milliseconds', { sagaId });

  const steps: Record<string, StepState> = Object.fromEntries(stepsOf(definition).map((step) => [step.name, newStepState()]));
  return {
    format: SAGA_STATE_FORMAT,
    sagaId,
    definition: { name: definition.name, version: definitionVersion },
    input: cloneJson(input),
    status: 'RUNNING',
    steps,
    completionOrder: [],
    deadlineAt: null,
    compensationReason: null,
    escalation: null,
    createdAt: now,
    startedAt: null,
    updatedAt: now,
    finishedAt: null,
    seq: 0,
  };
}

function newStepState(): StepState {
  return {
    status: 'PENDING',
    attempt: 0,
    attemptsSinceReset: 0,
    budgetStartedAt: null,
    compensationAttempt: 0,
    compensationAttemptsSinceReset: 0,
    compensationBudgetStartedAt: null,
    mayHaveApplied: false,
    dueAt: null,
    input: null,
    output: null,
    lastError: null,
    needsAttention: null,
    override: null,
    startedAt: null,
    succeededAt: null,
    compensatedAt: null,
  };
}

/** The state of step `name`, or undefined. Safe for untrusted names: `steps` is a plain object. */
export function stepState(state: SagaState, name: string): StepState | undefined {
  return Object.prototype.hasOwnProperty.call(state.steps, name) ? state.steps[name] : undefined;
}

/** Step statuses in which a step is what the saga is doing or waiting on right now. */
const CURRENT_STEP_STATUSES: ReadonlySet<StepStatus> = new Set(['RUNNING', 'RETRY_WAIT', 'COMPENSATING', 'COMPENSATION_RETRY_WAIT', 'COMPENSATION_FAILED']);

/** The steps the saga is currently doing, waiting on, or waiting for an operator about, in definition order. */
export function currentSteps(state: SagaState, definition: NormalizedSagaDefinition): string[] {
  return stepsOf(definition)
    .map((step) => step.name)
    .filter((name) => {
      const st = stepState(state, name);
      return st !== undefined && (CURRENT_STEP_STATUSES.has(st.status) || st.needsAttention !== null);
    });
}
