/**
 * Validation of saga definition documents.
 *
 * `validateDefinition` takes anything (a parsed request body, a file) and
 * either returns a typed SagaDefinition or lists EVERY problem it found, each
 * with a JSON path, so an author fixes a document in one round trip instead of
 * one error at a time. It never stops at the first problem: each check works
 * on whatever parts of the document are well-formed enough to look at.
 *
 * Unknown properties are problems too: a misspelt `compensaton` would
 * otherwise be dropped and the step silently left uncompensated.
 */
import { checkInputReferences, jsonPathChild } from './input-mapping';
import { hasOwn, isJsonValue, isPlainObject, type JsonValue } from '@saga-coordinator/participant/protocol';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { IDENTIFIER_PATTERN, type DefinitionProblem, type SagaDefinition } from './saga-definition';

export type DefinitionValidationResult =
  | { ok: true; definition: SagaDefinition }
  | { ok: false; problems: DefinitionProblem[] };

/** The properties each part of a definition document may have (the API's JSON Schema states the same; a test holds them equal). */
export const DEFINITION_DOCUMENT_KEYS = Object.freeze({
  document: ['name', 'description', 'inputSchema', 'deadlineMs', 'maxCompensationAttempts', 'minCompensationWindowMs', 'maxForwardAttempts', 'steps'],
  step: ['name', 'participant', 'command', 'compensation', 'pivot', 'retry', 'timeoutMs', 'input'],
  group: ['parallel', 'name'],
  retry: ['maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'multiplier', 'jitter', 'minRetryWindowMs'] satisfies (keyof RetryPolicy)[],
});
const DOCUMENT_KEYS = DEFINITION_DOCUMENT_KEYS.document;
const STEP_KEYS = DEFINITION_DOCUMENT_KEYS.step;
const GROUP_KEYS = DEFINITION_DOCUMENT_KEYS.group;
const RETRY_KEYS = DEFINITION_DOCUMENT_KEYS.retry;

/** What the cross-step checks need to know about one well-named step. */
interface StepFacts {
  name: string;
  path: string;
  stage: number;
  inGroup: boolean;
  pivot: boolean;
  hasCompensation: boolean;
  input: JsonValue | undefined;
}

export function validateDefinition(doc: unknown): DefinitionValidationResult {
  const problems: DefinitionProblem[] = [];
  const report = (path: string, message: string): void => {
    problems.push({ path, message });
  };

  if (!isPlainObject(doc)) {
    return { ok: false, problems: [{ path: '', message: 'a saga definition must be a JSON object' }] };
  }

  checkKnownKeys(doc, DOCUMENT_KEYS, '', report);
  checkIdentifier(doc, 'name', '', report, true);
  checkOptional(doc, 'description', '', report, (v) => (typeof v === 'string' ? null : 'must be a string'));
  checkOptional(doc, 'inputSchema', '', report, (v) =>
    isPlainObject(v) && isJsonValue(v) ? null : 'must be a JSON object (a JSON Schema)',
  );
  for (const key of ['deadlineMs', 'maxCompensationAttempts', 'maxForwardAttempts']) {
    checkOptional(doc, key, '', report, positiveInteger);
  }
  checkOptional(doc, 'minCompensationWindowMs', '', report, nonNegativeInteger);

  const steps: StepFacts[] = [];
  const groupNames: { name: string; path: string }[] = [];
  if (!hasOwn(doc, 'steps') || doc.steps === undefined) {
    report('steps', 'is required');
  } else if (!Array.isArray(doc.steps)) {
    report('steps', 'must be an array of steps and parallel groups');
  } else if (doc.steps.length === 0) {
    report('steps', 'must contain at least one step');
  } else {
    doc.steps.forEach((node: unknown, stage) => {
      const path = `steps[${stage}]`;
      if (isPlainObject(node) && hasOwn(node, 'parallel')) {
        checkGroup(node, path, stage, report, steps, groupNames);
      } else {
        const facts = checkStep(node, path, stage, false, report);
        if (facts) steps.push(facts);
      }
    });
  }

  checkUniqueNames(steps, groupNames, report);
  checkPivot(steps, report);
  checkReferences(steps, report);

  if (problems.length > 0) return { ok: false, problems };
  // A JSON round trip detaches the result from the caller's object and drops `undefined` members.
  return { ok: true, definition: JSON.parse(JSON.stringify(doc)) as SagaDefinition };
}

type Report = (path: string, message: string) => void;

function checkGroup(
  node: Record<string, unknown>,
  path: string,
  stage: number,
  report: Report,
  steps: StepFacts[],
  groupNames: { name: string; path: string }[],
): void {
  checkKnownKeys(node, GROUP_KEYS, path, report);
  const name = checkIdentifier(node, 'name', path, report, false);
  if (name !== null) groupNames.push({ name, path: `${path}.name` });
  const members = node.parallel;
  if (!Array.isArray(members)) {
    report(`${path}.parallel`, 'must be an array of steps');
    return;
  }
  if (members.length < 2) report(`${path}.parallel`, 'a parallel group needs at least 2 steps');
  members.forEach((member: unknown, index) => {
    const memberPath = `${path}.parallel[${index}]`;
    if (isPlainObject(member) && hasOwn(member, 'parallel')) {
      report(memberPath, 'parallel groups cannot be nested');
      return;
    }
    const facts = checkStep(member, memberPath, stage, true, report);
    if (facts) steps.push(facts);
  });
}

function checkStep(node: unknown, path: string, stage: number, inGroup: boolean, report: Report): StepFacts | null {
  if (!isPlainObject(node)) {
    report(path, 'a step must be an object');
    return null;
  }
  checkKnownKeys(node, STEP_KEYS, path, report);
  const name = checkIdentifier(node, 'name', path, report, true);
  checkIdentifier(node, 'participant', path, report, true);
  checkIdentifier(node, 'command', path, report, true);
  checkIdentifier(node, 'compensation', path, report, false);
  checkOptional(node, 'pivot', path, report, (v) => (typeof v === 'boolean' ? null : 'must be a boolean'));
  checkOptional(node, 'timeoutMs', path, report, positiveInteger);
  checkOptional(node, 'input', path, report, (v) => (isJsonValue(v) ? null : 'must be a JSON value'));
  if (present(node, 'retry')) checkRetry(node.retry, `${path}.retry`, report);

  const pivot = node.pivot === true;
  if (pivot && inGroup) report(`${path}.pivot`, 'a pivot step cannot be inside a parallel group');
  if (name === null) return null;
  return {
    name,
    path,
    stage,
    inGroup,
    pivot,
    hasCompensation: present(node, 'compensation'),
    input: present(node, 'input') && isJsonValue(node.input) ? node.input : undefined,
  };
}

function checkRetry(retry: unknown, path: string, report: Report): void {
  if (!isPlainObject(retry)) {
    report(path, 'must be an object');
    return;
  }
  checkKnownKeys(retry, RETRY_KEYS, path, report);
  checkOptional(retry, 'maxAttempts', path, report, positiveInteger);
  checkOptional(retry, 'initialBackoffMs', path, report, positiveInteger);
  checkOptional(retry, 'maxBackoffMs', path, report, positiveInteger);
  checkOptional(retry, 'minRetryWindowMs', path, report, nonNegativeInteger);
  checkOptional(retry, 'multiplier', path, report, (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= 1 ? null : 'must be a number >= 1',
  );
  checkOptional(retry, 'jitter', path, report, (v) =>
    typeof v === 'number' && v >= 0 && v <= 1 ? null : 'must be a number between 0 and 1',
  );
  // Compared on effective values: a lone initialBackoffMs above the default cap is a problem too.
  const initial = present(retry, 'initialBackoffMs') ? retry.initialBackoffMs : DEFAULT_RETRY_POLICY.initialBackoffMs;
  const max = present(retry, 'maxBackoffMs') ? retry.maxBackoffMs : DEFAULT_RETRY_POLICY.maxBackoffMs;
  if (typeof initial === 'number' && typeof max === 'number' && max < initial) {
    const maxText = present(retry, 'maxBackoffMs') ? `${max}` : `${max} (the default)`;
    const initialText = present(retry, 'initialBackoffMs') ? `${initial}` : `${initial} (the default)`;
    report(`${path}.maxBackoffMs`, `maxBackoffMs ${maxText} must be >= initialBackoffMs ${initialText}`);
  }
}

function checkUniqueNames(steps: StepFacts[], groups: { name: string; path: string }[], report: Report): void {
  const firstUse = new Map<string, string>();
  const named = [
    ...steps.map((s) => ({ name: s.name, path: `${s.path}.name` })),
    ...groups,
  ].sort((a, b) => comparePaths(a.path, b.path));
  for (const { name, path } of named) {
    const first = firstUse.get(name);
    if (first === undefined) firstUse.set(name, path);
    else report(path, `duplicate name '${name}' (already used at ${first}); step and group names are unique in a saga`);
  }
}

function checkPivot(steps: StepFacts[], report: Report): void {
  const pivots = steps.filter((s) => s.pivot);
  for (const extra of pivots.slice(1)) {
    report(`${extra.path}.pivot`, `only one pivot step is allowed (the first is at ${pivots[0].path})`);
  }
  const pivot = pivots[0];
  if (pivot === undefined) return;
  for (const step of steps) {
    if (step.stage > pivot.stage && step.hasCompensation) {
      report(
        `${step.path}.compensation`,
        `steps after the pivot '${pivot.name}' cannot be compensated; they are retried until they succeed`,
      );
    }
  }
}

function checkReferences(steps: StepFacts[], report: Report): void {
  const stageOf = new Map<string, number>();
  for (const step of steps) if (!stageOf.has(step.name)) stageOf.set(step.name, step.stage);
  for (const step of steps) {
    if (step.input === undefined) continue;
    const scope = { stageOf, step: step.name, stage: step.stage };
    for (const problem of checkInputReferences(step.input, scope, `${step.path}.input`)) report(problem.path, problem.message);
  }
}

/** Orders `steps[10]` after `steps[9]` (numeric, not textual) so "first use" means document order. */
function comparePaths(a: string, b: string): number {
  const key = (path: string): number[] => [...path.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return ka.length - kb.length;
}

function checkKnownKeys(object: Record<string, unknown>, allowed: readonly string[], path: string, report: Report): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      report(jsonPathChild(path, key), `unknown property '${key}' (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** A property set to `undefined` (common in TypeScript object literals) counts as absent. */
function present(object: Record<string, unknown>, key: string): boolean {
  return hasOwn(object, key) && object[key] !== undefined;
}

function checkOptional(
  object: Record<string, unknown>,
  key: string,
  path: string,
  report: Report,
  check: (value: unknown) => string | null,
): void {
  if (!present(object, key)) return;
  const message = check(object[key]);
  if (message !== null) report(jsonPathChild(path, key), message);
}

/** Checks an identifier-valued property; returns it when valid. */
function checkIdentifier(
  object: Record<string, unknown>,
  key: string,
  path: string,
  report: Report,
  required: boolean,
): string | null {
  const at = jsonPathChild(path, key);
  if (!present(object, key)) {
    if (required) report(at, 'is required');
    return null;
  }
  const value = object[key];
  if (typeof value !== 'string') {
    report(at, 'must be a string');
    return null;
  }
  if (!IDENTIFIER_PATTERN.test(value)) {
    report(at, `'${value}' must start with a letter and contain only letters, digits, '_', '.' or '-' (at most 100 characters)`);
    return null;
  }
  return value;
}

function positiveInteger(value: unknown): string | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? null : 'must be a positive integer';
}

function nonNegativeInteger(value: unknown): string | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? null : 'must be an integer >= 0';
}
