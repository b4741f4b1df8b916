/**
 * What a handler answers. Glossary:
 *   success  the action is done; an execute's `output` is offered to later steps
 *   failure  business failure of an execute (e.g. insufficient credit): the handler's
 *            changes are rolled back, the failure is recorded, and the saga compensates
 *   retry    transient: everything is rolled back, nothing is recorded, and the
 *            coordinator sends a new attempt per the step's retry policy
 * A compensation may only answer success or retry: compensations must eventually succeed.
 */
import type { JsonValue } from './protocol/json';

export interface StepSuccess<O> {
  readonly outcome: 'success';
  readonly output: O;
}

export interface StepFailure {
  readonly outcome: 'failure';
  readonly code: string;
  readonly message: string;
}

export interface StepRetry {
  readonly outcome: 'retry';
  readonly code?: string;
  readonly message: string;
}

export type ExecuteOutcome<O> = StepSuccess<O> | StepFailure | StepRetry;
export type CompensateOutcome = StepSuccess<JsonValue | undefined> | StepRetry;
export type StepOutcome = StepSuccess<unknown> | StepFailure | StepRetry;

export function success(): StepSuccess<undefined>;
export function success<O>(output: O): StepSuccess<O>;
export function success<O>(output?: O): StepSuccess<O | undefined> {
  return { outcome: 'success', output };
}

/** A business failure: nothing this handler did is kept, and the saga compensates the steps before it. */
export function failure(code: string, message: string): StepFailure {
  return { outcome: 'failure', code, message };
}

/** A transient failure: nothing is kept, and the coordinator retries with a new attempt. */
export function retry(message: string, code?: string): StepRetry {
  return code === undefined ? { outcome: 'retry', message } : { outcome: 'retry', code, message };
}

export function isStepOutcome(value: unknown): value is StepOutcome {
  if (typeof value !== 'object' || value === null) return false;
  const outcome = (value as { outcome?: unknown }).outcome;
  return outcome === 'success' || outcome === 'failure' || outcome === 'retry';
}
