// Storable JSON: what the coordinator accepts from outside (HTTP bodies, Kafka messages)
// must be storable in PostgreSQL text and jsonb columns and processable by its own
// recursive code. PostgreSQL refuses a NUL character (U+0000) in text and jsonb, and a
// lone surrogate (half of a UTF-16 pair) in jsonb; in text, pg would silently store it
// as U+FFFD, so the value read back differs from the one written (a reply id would no
// longer dedupe). Non-finite numbers (JSON `1e400` parses to Infinity) have no JSON
// form. Deep nesting overflows the stack of recursive walkers (validation, hashing).
// Each check reports the path of the offending value, never the value itself.

/** Arrays and objects nest at most this deep in a request body or a message (the envelope counts as one level). */
export const MAX_JSON_DEPTH = 64;

export interface JsonProblem {
  /** Where: `input.items[3].name`; '' for the whole document. */
  path: string;
  message: string;
}

// eslint-disable-next-line no-control-regex -- NUL is what this looks for
const UNSTORABLE_CHARACTER = /[\u0000\p{Cs}]/u;
// eslint-disable-next-line no-control-regex -- the same, every occurrence
const UNSTORABLE_CHARACTERS = /[\u0000\p{Cs}]/gu;

/** Why PostgreSQL cannot store this string, or undefined when it can. */
export function unstorableStringReason(value: string): string | undefined {
  const found = UNSTORABLE_CHARACTER.exec(value);
  if (!found) return undefined;
  return found[0] === '\u0000' ? 'contains a NUL character (U+0000)' : 'contains a lone UTF-16 surrogate (not valid Unicode)';
}

/** The text with every character PostgreSQL cannot store replaced by U+FFFD: for messages about bad input (reasons, logs). */
export function storableText(value: string): string {
  return value.replace(UNSTORABLE_CHARACTERS, '\uFFFD');
}

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found by scanning
 * the text, so that a hostile document is refused before anything recursive sees it.
 * Brackets inside strings do not count. Meant to run before JSON.parse: on text that is
 * not JSON the answer is meaningless, and the parse reports the error.
 */
export function jsonTextExceedsDepth(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

export interface StorableJsonOptions {
  /** @default MAX_JSON_DEPTH */
  maxDepth?: number;
  /** The walk stops after this many problems. @default 20 */
  maxProblems?: number;
  /** Path of `value` itself, prefixed to every reported path. @default '' */
  path?: string;
}

/**
 * Every reason (up to maxProblems) why a parsed JSON value cannot be stored as it is:
 * strings (values and property names) with NUL or lone surrogates, non-finite numbers,
 * nesting deeper than maxDepth. Iterative, so any depth is safe. Empty: storable.
 */
export function unstorableJsonProblems(value: unknown, options: StorableJsonOptions = {}): JsonProblem[] {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const maxProblems = options.maxProblems ?? 20;
  const problems: JsonProblem[] = [];
  // `top` is the path of the outermost member holding the value: too deep a nesting is reported there, not 64 levels down.
  const stack: { value: unknown; path: string; depth: number; top: string }[] = [{ value, path: options.path ?? '', depth: 0, top: options.path ?? '' }];
  while (stack.length > 0 && problems.length < maxProblems) {
    const { value: v, path, depth, top } = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unstorableStringReason(v);
      if (reason) problems.push({ path, message: reason });
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) problems.push({ path, message: 'must be a finite number (it does not fit a 64-bit floating point number)' });
    } else if (typeof v === 'object' && v !== null) {
      if (depth + 1 > maxDepth) {
        problems.push({ path: top, message: `nests arrays and objects deeper than ${maxDepth} levels` });
        continue;
      }
      const children: { value: unknown; path: string; depth: number; top: string }[] = [];
      const child = (item: unknown, childPath: string) => children.push({ value: item, path: childPath, depth: depth + 1, top: depth === 0 ? childPath : top });
      if (Array.isArray(v)) {
        v.forEach((item, index) => child(item, `${path}[${index}]`));
      } else {
        for (const [key, item] of Object.entries(v)) {
          const reason = unstorableStringReason(key);
          if (reason) {
            problems.push({ path, message: `has a property name that ${reason}` });
            continue;
          }
          child(item, memberPath(path, key));
        }
      }
      // Reversed onto the stack, so problems come out in document order.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
  return problems.slice(0, maxProblems);
}

/** Longer property names are cut in paths: a path names a place for a person, and a 40 KB name would swamp the reason. */
const MAX_KEY_IN_PATH = 64;

function memberPath(parent: string, key: string): string {
  if (key.length <= MAX_KEY_IN_PATH && /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  const shown = key.length <= MAX_KEY_IN_PATH ? key : `${key.slice(0, MAX_KEY_IN_PATH - 1)}…`;
  // A cut can split a surrogate pair; the path must stay storable, as reasons are stored.
  return `${parent}[${JSON.stringify(storableText(shown))}]`;
}
