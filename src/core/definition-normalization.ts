/**
 * Compiling a definition document into the form the engine runs.
 *
 * `normalizeDefinition` validates and applies every default exactly once, so
 * the state machine never has to ask whether an option was set. The result is
 * plain JSON.
 *
 * Versioning: `canonicalDefinitionJson` is the normalized definition with keys
 * sorted — the text the registry hashes. Two documents that differ only in key
 * order or in spelling out a default hash the same, so registering either is
 * idempotent; any change in behaviour gives a new hash and thus a new version.
 * The registry should store this normalized form with the version (not only
 * the raw document), so that a later release changing a default never changes
 * how an already registered version, and the instances running on it, behave.
 */
import { validateDefinition } from './definition-validation';
import { InvalidDefinitionError, UnknownStepError } from './errors';
import type { JsonValue } from '@saga-coordinator/participant/protocol';
import { canonicalJson } from './canonical-json';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import {
  DEFINITION_DEFAULTS,
  NORMALIZED_DEFINITION_FORMAT,
  isParallelGroup,
  type NormalizedSagaDefinition,
  type NormalizedStage,
  type NormalizedStep,
  type SagaDefinition,
  type StepDefinition,
  type StepPhase,
} from './saga-definition';

/** Validates `doc` and applies every default. Throws InvalidDefinitionError listing all problems. */
export function normalizeDefinition(doc: unknown): NormalizedSagaDefinition {
  const result = validateDefinition(doc);
  if (!result.ok) {
    const name = isNamed(doc) ? doc.name : undefined;
    throw new InvalidDefinitionError(result.problems, name);
  }
  const def = result.definition;
  const maxForwardAttempts = def.maxForwardAttempts ?? DEFINITION_DEFAULTS.maxForwardAttempts;
  const pivotStage = def.steps.findIndex((node) => !isParallelGroup(node) && node.pivot === true);

  const stages: NormalizedStage[] = def.steps.map((node, index) => {
    const phase: StepPhase =
      pivotStage === -1 || index < pivotStage ? 'compensatable' : index === pivotStage ? 'pivot' : 'retriable';
    const members = isParallelGroup(node) ? node.parallel : [node];
    return {
      index,
      name: isParallelGroup(node) ? (node.name ?? null) : null,
      parallel: isParallelGroup(node),
      steps: members.map((step) => normalizeStep(step, index, phase, maxForwardAttempts)),
    };
  });

  return {
    format: NORMALIZED_DEFINITION_FORMAT,
    name: def.name,
    description: def.description ?? null,
    inputSchema: def.inputSchema ?? null,
    deadlineMs: def.deadlineMs ?? null,
    maxCompensationAttempts: def.maxCompensationAttempts ?? DEFINITION_DEFAULTS.maxCompensationAttempts,
    minCompensationWindowMs: def.minCompensationWindowMs ?? DEFINITION_DEFAULTS.minCompensationWindowMs,
    maxForwardAttempts,
    pivot: pivotStage === -1 ? null : stages[pivotStage].steps[0].name,
    output: def.output ?? null,
    concurrencyKey: def.concurrencyKey ?? null,
    stages,
  };
}

function normalizeStep(step: StepDefinition, stage: number, phase: StepPhase, maxForwardAttempts: number): NormalizedStep {
  // After the pivot giving up means escalating to an operator, not compensating, so the bound is the saga's.
  const defaultMaxAttempts = phase === 'retriable' ? maxForwardAttempts : DEFAULT_RETRY_POLICY.maxAttempts;
  return {
    name: step.name,
    participant: step.participant,
    command: step.command,
    compensation: step.compensation ?? null,
    phase,
    stage,
    retry: {
      maxAttempts: step.retry?.maxAttempts ?? defaultMaxAttempts,
      initialBackoffMs: step.retry?.initialBackoffMs ?? DEFAULT_RETRY_POLICY.initialBackoffMs,
      maxBackoffMs: step.retry?.maxBackoffMs ?? DEFAULT_RETRY_POLICY.maxBackoffMs,
      multiplier: step.retry?.multiplier ?? DEFAULT_RETRY_POLICY.multiplier,
      jitter: step.retry?.jitter ?? DEFAULT_RETRY_POLICY.jitter,
      minRetryWindowMs: step.retry?.minRetryWindowMs ?? DEFAULT_RETRY_POLICY.minRetryWindowMs,
    },
    timeoutMs: step.timeoutMs ?? DEFINITION_DEFAULTS.timeoutMs,
    input: step.input ?? DEFINITION_DEFAULTS.input,
    when: step.when ?? null,
  };
}

function isNamed(doc: unknown): doc is { name: string } {
  return typeof doc === 'object' && doc !== null && typeof (doc as { name?: unknown }).name === 'string';
}

/**
 * The stable text to hash for versioning: the normalized definition with
 * sorted keys. Accepts a document (validated and normalized first) or an
 * already normalized definition.
 */
export function canonicalDefinitionJson(def: SagaDefinition | NormalizedSagaDefinition): string {
  const normalized = isNormalized(def) ? def : normalizeDefinition(def);
  return canonicalJson(normalized as unknown as JsonValue);
}

function isNormalized(def: SagaDefinition | NormalizedSagaDefinition): def is NormalizedSagaDefinition {
  return 'stages' in def;
}

/** Every step in definition order. */
export function stepsOf(def: NormalizedSagaDefinition): NormalizedStep[] {
  return def.stages.flatMap((stage) => stage.steps);
}

/** The step called `name`, or undefined. Safe for untrusted names (no prototype lookups). */
export function findStep(def: NormalizedSagaDefinition, name: string): NormalizedStep | undefined {
  for (const stage of def.stages) {
    for (const step of stage.steps) if (step.name === name) return step;
  }
  return undefined;
}

/** The step called `name`; throws UnknownStepError. */
export function getStep(def: NormalizedSagaDefinition, name: string, sagaId?: string): NormalizedStep {
  const step = findStep(def, name);
  if (!step) throw new UnknownStepError(name, def.name, sagaId === undefined ? {} : { sagaId });
  return step;
}
