/**
 * Input mapping: how a step's command payload is built, when the step starts,
 * from the saga input and the outputs of steps that already succeeded.
 *
 * A step's `input` is a JSON template. It is copied as is, except for strings
 * that start with `$`:
 *
 *   "$.input"                       the whole saga input
 *   "$.input.a.b"                   a value inside it
 *   "$.input.items.0.sku"           a numeric segment indexes an array
 *   "$.steps.<step>.output"         the output of an earlier step
 *   "$.steps.<step>.output.a.b"     a value inside it
 *   "$$anything"                    the literal string "$anything" (one `$` removed)
 *
 * Rules, and why:
 * - Replacement is of the whole string value only ("id: $.input.id" is not
 *   interpolated): the result keeps the referenced value's JSON type.
 * - Every other string starting with a single `$` is malformed. Treating it as
 *   a literal would turn a typo like "$input.id" into silently wrong data.
 * - A reference to a path that does not exist (or into a non-object) resolves
 *   to `null`: inputs of optional shape stay mappable, and participants see an
 *   explicit null rather than a missing key.
 * - Step names may contain dots, so a step name ends at the first `output`
 *   segment; a step whose name has an `output` segment cannot be referenced.
 * - At registration a `$.steps.X` reference is accepted only if X is
 *   guaranteed to have succeeded before this step starts: X must be in an
 *   earlier stage — not this step, not a sibling in the same parallel group,
 *   not a later step.
 * - A step without `input` gets the whole saga input (template "$.input").
 */
import { InvalidInputReferenceError } from './errors';
import { cloneJson, hasOwn, isPlainObject, type JsonObject, type JsonValue } from '@saga-coordinator/participant/protocol';
import type { DefinitionProblem } from './saga-definition';

export type InputReference =
  | { source: 'input'; path: string[] }
  | { source: 'step'; step: string; path: string[] };

export type TemplateString =
  | { kind: 'literal'; value: string }
  | { kind: 'reference'; reference: InputReference }
  | { kind: 'malformed'; message: string };

const INPUT_PREFIX = '$.input';
const STEPS_PREFIX = '$.steps.';

/** Classifies one string of a template. */
export function parseTemplateString(text: string): TemplateString {
  if (text.startsWith('$$')) return { kind: 'literal', value: text.slice(1) };
  if (!text.startsWith('$')) return { kind: 'literal', value: text };

  if (text === INPUT_PREFIX || text.startsWith(`${INPUT_PREFIX}.`)) {
    const path = text === INPUT_PREFIX ? [] : text.slice(INPUT_PREFIX.length + 1).split('.');
    if (path.some((segment) => segment === '')) return malformed('empty path segment');
    return { kind: 'reference', reference: { source: 'input', path } };
  }
  if (text.startsWith(STEPS_PREFIX)) {
    const segments = text.slice(STEPS_PREFIX.length).split('.');
    if (segments.some((segment) => segment === '')) return malformed('empty path segment');
    const outputAt = segments.indexOf('output', 1);
    if (outputAt < 1) return malformed('expected $.steps.<step>.output or $.steps.<step>.output.<path>');
    return {
      kind: 'reference',
      reference: { source: 'step', step: segments.slice(0, outputAt).join('.'), path: segments.slice(outputAt + 1) },
    };
  }
  return malformed('a reference starts with $.input or $.steps.<step>.output; write $$ for a literal leading $');
}

function malformed(message: string): TemplateString {
  return { kind: 'malformed', message };
}

/** Follows `path` into `value`; anything missing resolves to null. Only own properties are followed. */
export function valueAtPath(value: JsonValue, path: readonly string[]): JsonValue {
  let current: JsonValue = value;
  for (const segment of path) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return null;
      const index = Number(segment);
      if (index >= current.length) return null;
      current = current[index];
    } else if (isPlainObject(current) && hasOwn(current, segment)) {
      current = (current as JsonObject)[segment];
    } else {
      return null;
    }
  }
  return current;
}

/**
 * Builds a step's payload from its template. `outputs` holds the outputs of
 * the steps that have succeeded, by step name. The result shares no objects
 * with the arguments. Pure; throws
 * InvalidInputReferenceError only for a malformed reference, which validation
 * rejects at registration.
 */
export function resolveStepInput(
  template: JsonValue,
  sagaInput: JsonValue,
  outputs: Readonly<Record<string, JsonValue>>,
): JsonValue {
  if (typeof template === 'string') {
    const parsed = parseTemplateString(template);
    switch (parsed.kind) {
      case 'literal':
        return parsed.value;
      case 'malformed':
        throw new InvalidInputReferenceError(template, parsed.message);
      case 'reference': {
        const { reference } = parsed;
        if (reference.source === 'input') return cloneJson(valueAtPath(sagaInput, reference.path));
        const output = hasOwn(outputs, reference.step) ? outputs[reference.step] : null;
        return cloneJson(valueAtPath(output, reference.path));
      }
    }
  }
  if (Array.isArray(template)) return template.map((item) => resolveStepInput(item, sagaInput, outputs));
  if (template !== null && typeof template === 'object') {
    // fromEntries defines own properties, so a "__proto__" key stays data instead of changing the prototype.
    return Object.fromEntries(
      Object.entries(template).map(([key, item]) => [key, resolveStepInput(item, sagaInput, outputs)]),
    );
  }
  return template;
}

/** What the reference check knows about the saga: which stage each step is in. */
export interface ReferenceScope {
  /** Stage index of every step of the saga, by name. */
  stageOf: ReadonlyMap<string, number>;
  /** The step whose input is checked, and its stage. */
  step: string;
  stage: number;
}

/**
 * Lists the problems of one step's input template: malformed references and
 * references to steps that are not guaranteed to have succeeded when this
 * step starts. `path` is the template's JSON path in the document.
 */
export function checkInputReferences(template: JsonValue, scope: ReferenceScope, path: string): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  visit(template, path);
  return problems;

  function visit(node: JsonValue, at: string): void {
    if (typeof node === 'string') {
      const parsed = parseTemplateString(node);
      if (parsed.kind === 'malformed') problems.push({ path: at, message: `malformed reference '${node}': ${parsed.message}` });
      if (parsed.kind === 'reference' && parsed.reference.source === 'step') {
        const message = referenceProblem(parsed.reference.step, scope);
        if (message) problems.push({ path: at, message: `'${node}': ${message}` });
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${at}[${index}]`));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) visit(item, jsonPathChild(at, key));
    }
  }
}

function referenceProblem(target: string, scope: ReferenceScope): string | null {
  const targetStage = scope.stageOf.get(target);
  if (targetStage === undefined) return `there is no step '${target}'`;
  if (target === scope.step) return 'a step cannot use its own output';
  if (targetStage === scope.stage) return `step '${target}' runs in the same parallel group, so it may not have finished`;
  if (targetStage > scope.stage) return `step '${target}' runs later`;
  return null;
}

/** `parent.key`, or `parent["odd key"]` when the key is not a plain identifier. */
export function jsonPathChild(parent: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}
