/**
 * Step conditions (`when`): whether a step runs, decided from the saga input
 * and the outputs of earlier steps when the step's stage is reached.
 *
 * A condition is JSON, never code (a definition is data an operator may
 * register through the API, so nothing in it may execute):
 *
 *   { "ref": "$.input.express", "equals": true }
 *   { "ref": "$.input.amount", "gt": 100 }                       gt, gte, lt, lte
 *   { "ref": "$.steps.check.output.flag", "notEquals": "none" }
 *   { "ref": "$.input.coupon", "exists": true }                  present and not null
 *   { "all": [c1, c2] }   { "any": [c1, c2] }   { "not": c }
 *
 * Rules, and why:
 * - `ref` is a reference of the input mapping (input-mapping.ts) and follows
 *   its rules: a missing path reads as null; a `$.steps.X` reference must name
 *   a step of an earlier stage (checked at registration). A skipped step's
 *   output reads as null, like any step that did not succeed.
 * - The operand is a template like a step input: literal JSON, or a reference
 *   to compare two values of the saga (`"$$..."` for a literal leading `$`).
 * - `equals` / `notEquals` compare JSON values deeply (key order ignored).
 * - `gt`, `gte`, `lt`, `lte` compare two numbers or two strings (by code
 *   unit); any other pair of types is false rather than an error, so a
 *   missing value never stops a saga — write `exists` to tell it apart.
 * - `all` of nothing is true, `any` of nothing is false (validation refuses
 *   empty lists anyway, as they are almost certainly a mistake).
 */
import { canonicalJson } from './canonical-json';
import { checkInputReferences, jsonPathChild, parseTemplateString, resolveStepInput, type ReferenceScope } from './input-mapping';
import { hasOwn, isJsonValue, isPlainObject, type JsonValue } from '@saga-coordinator/participant/protocol';
import type { DefinitionProblem } from './saga-definition';

export const COMPARISON_OPERATORS = ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export type Comparison = { ref: string } & { [K in ComparisonOperator]?: JsonValue };

export type StepCondition = { all: StepCondition[] } | { any: StepCondition[] } | { not: StepCondition } | Comparison;

/** Whether `condition` holds for this saga input and these outputs of succeeded steps. Pure. */
export function evaluateCondition(
  condition: StepCondition,
  sagaInput: JsonValue,
  outputs: Readonly<Record<string, JsonValue>>,
): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, sagaInput, outputs));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, sagaInput, outputs));
  if ('not' in condition) return !evaluateCondition(condition.not, sagaInput, outputs);
  const value = resolveStepInput(condition.ref, sagaInput, outputs);
  const operator = COMPARISON_OPERATORS.find((op) => hasOwn(condition, op)) as ComparisonOperator;
  const operand = resolveStepInput(condition[operator] as JsonValue, sagaInput, outputs);
  switch (operator) {
    case 'equals':
      return canonicalJson(value) === canonicalJson(operand);
    case 'notEquals':
      return canonicalJson(value) !== canonicalJson(operand);
    case 'exists':
      return (value !== null) === (operand === true);
    default:
      return compare(value, operand, operator);
  }
}

function compare(a: JsonValue, b: JsonValue, op: 'gt' | 'gte' | 'lt' | 'lte'): boolean {
  const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) return false;
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}

/** Every problem of a `when` at `path`: its shape, and its references (as for the step's input, same scope). */
export function checkCondition(condition: unknown, scope: ReferenceScope, path: string): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  visit(condition, path, 0);
  return problems;

  function visit(node: unknown, at: string, depth: number): void {
    if (depth > 16) {
      problems.push({ path: at, message: 'conditions nest at most 16 deep' });
      return;
    }
    if (!isPlainObject(node)) {
      problems.push({ path: at, message: 'a condition must be an object: { ref, <operator> }, { all }, { any } or { not }' });
      return;
    }
    const keys = Object.keys(node);
    for (const combinator of ['all', 'any'] as const) {
      if (!hasOwn(node, combinator)) continue;
      if (keys.length !== 1) problems.push({ path: at, message: `'${combinator}' stands alone in its object` });
      const list = node[combinator];
      if (!Array.isArray(list) || list.length === 0) problems.push({ path: jsonPathChild(at, combinator), message: 'must be a non-empty array of conditions' });
      else list.forEach((item: unknown, index) => visit(item, `${jsonPathChild(at, combinator)}[${index}]`, depth + 1));
      return;
    }
    if (hasOwn(node, 'not')) {
      if (keys.length !== 1) problems.push({ path: at, message: "'not' stands alone in its object" });
      visit(node.not, jsonPathChild(at, 'not'), depth + 1);
      return;
    }
    checkComparison(node, at);
  }

  function checkComparison(node: Record<string, unknown>, at: string): void {
    for (const key of Object.keys(node)) {
      if (key !== 'ref' && !(COMPARISON_OPERATORS as readonly string[]).includes(key)) {
        problems.push({ path: jsonPathChild(at, key), message: `unknown property '${key}' (allowed: ref, ${COMPARISON_OPERATORS.join(', ')}, or all / any / not)` });
      }
    }
    const ref = node.ref;
    if (typeof ref !== 'string' || parseTemplateString(ref).kind !== 'reference') {
      problems.push({ path: jsonPathChild(at, 'ref'), message: 'must be a reference: $.input… or $.steps.<step>.output…' });
    } else {
      problems.push(...checkInputReferences(ref, scope, jsonPathChild(at, 'ref')));
    }
    const operators = COMPARISON_OPERATORS.filter((op) => hasOwn(node, op));
    if (operators.length !== 1) {
      problems.push({ path: at, message: `needs exactly one operator of ${COMPARISON_OPERATORS.join(', ')}` });
      return;
    }
    const op = operators[0];
    const operand = node[op];
    const opPath = jsonPathChild(at, op);
    if (!isJsonValue(operand)) {
      problems.push({ path: opPath, message: 'must be a JSON value' });
      return;
    }
    const isReference = typeof operand === 'string' && parseTemplateString(operand).kind !== 'literal';
    if (op === 'exists' && typeof operand !== 'boolean') problems.push({ path: opPath, message: 'must be true or false' });
    if (['gt', 'gte', 'lt', 'lte'].includes(op) && !isReference && typeof operand !== 'number' && typeof operand !== 'string') {
      problems.push({ path: opPath, message: 'must be a number, a string or a reference' });
    }
    if (op !== 'exists') problems.push(...checkInputReferences(operand, scope, opPath));
  }
}
