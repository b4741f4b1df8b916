/**
 * One saga at a time per business key: the rules of the `concurrencyKey`.
 *
 * A definition (or a start request) may name a concurrency key, a template like
 * a step input that resolves from the saga input to the key's value (e.g.
 * "$.input.accountId"). Sagas with the same key value run one at a time, in
 * the order they were accepted; the others wait QUEUED and are admitted, oldest
 * first, when the one before them ends (COMPLETED or COMPENSATED — a FAILED
 * saga still holds its key: it has not ended, and an operator may resume it).
 *
 * Rules, and why:
 * - The key's value is the resolved JSON: a string is the key as it is, any
 *   other value its canonical JSON text (so 42 and "42" are different keys
 *   only if one is a number). A mapping that resolves to null (the field is
 *   missing) means no key: the saga runs at once, like one without a mapping;
 *   refusing it would make an optional field a reason to lose a start.
 * - Keys are global across definitions: two definitions that touch one account
 *   serialise with each other when their keys resolve to the same value.
 * - Order is acceptance order (the adapters number accepted keyed sagas from a
 *   sequence), never wall-clock time, so it holds across replicas.
 * - These functions only choose; the adapters hold the key's lock (an advisory
 *   lock per key) while they read what they pass in and write what comes out,
 *   so two replicas cannot both admit a saga for one key.
 */
import { canonicalJson } from './canonical-json';
import { parseTemplateString, resolveStepInput } from './input-mapping';
import type { JsonValue } from '@saga-coordinator/participant/protocol';
import type { DefinitionProblem } from './saga-definition';
import type { SagaStatus } from './saga-status';

/** Longest key value kept; longer values are refused at start (they would make the index and locks costly). */
export const MAX_CONCURRENCY_KEY_LENGTH = 500;

/**
 * The key a saga runs under: the start request's mapping if it has one, else the
 * definition's; null for none. Throws nothing for a malformed mapping only if
 * validation let it through (it does not).
 */
export function concurrencyKeyOf(mapping: string | null, input: JsonValue): string | null {
  if (mapping === null) return null;
  const value = resolveStepInput(mapping, input, {});
  if (value === null) return null;
  return typeof value === 'string' ? value : canonicalJson(value);
}

/** Problems of a concurrency key mapping at `path`: a `$.input…` reference, or a literal string (a start request's own key). */
export function checkConcurrencyKeyMapping(mapping: unknown, path: string, allowLiteral: boolean): DefinitionProblem[] {
  if (typeof mapping !== 'string' || mapping === '') return [{ path, message: 'must be a non-empty string: a $.input… reference' }];
  const parsed = parseTemplateString(mapping);
  if (parsed.kind === 'malformed') return [{ path, message: `malformed reference '${mapping}': ${parsed.message}` }];
  if (parsed.kind === 'reference' && parsed.reference.source === 'step') return [{ path, message: 'a concurrency key is known when the saga is accepted: it can only refer to $.input' }];
  if (parsed.kind === 'literal' && !allowLiteral) return [{ path, message: 'must be a $.input… reference (a definition gives every saga its own key from its input)' }];
  if (mapping.length > MAX_CONCURRENCY_KEY_LENGTH) return [{ path, message: `must be at most ${MAX_CONCURRENCY_KEY_LENGTH} characters` }];
  return [];
}

/** Whether a saga in this status holds its key or waits for it (it has not ended). */
export function holdsConcurrencyKey(status: SagaStatus | string): boolean {
  return status !== 'COMPLETED' && status !== 'COMPENSATED';
}

/**
 * Which of the starts accepted together run now: `keys` in acceptance order (null
 * for a saga without a key); `open` the keys held by a saga that has not ended (or is
 * queued). A start runs now if it has no key, or its key is not open and no earlier
 * start of this batch took it; every other start is queued behind them.
 */
export function admitStarts(keys: readonly (string | null)[], open: ReadonlySet<string>): boolean[] {
  const taken = new Set(open);
  return keys.map((key) => {
    if (key === null) return true;
    if (taken.has(key)) return false;
    taken.add(key);
    return true;
  });
}

/**
 * The saga to admit for one key, given every saga with that key that has not ended,
 * in acceptance order: the first one, if it is QUEUED (the one before it ended);
 * none while the first one still runs, compensates or waits for an operator.
 */
export function nextToAdmit<T extends { status: SagaStatus | string }>(openInAcceptanceOrder: readonly T[]): T | null {
  const first = openInAcceptanceOrder[0];
  return first !== undefined && first.status === 'QUEUED' ? first : null;
}
