// Error answers never echo what the caller submitted: a value may be a secret, or a
// payload meant for whoever reads the answer. The API's own messages name the field
// and the rule; the core's and the coordinator's messages are written for operators and
// quote values ('order-4711'), so those problems are scrubbed of every string the
// request carried in its body, query or headers: in their texts the value is replaced,
// and a structured member equal to one (`step` of a retry body) is left out. Path
// segments name the resource (`instance`, `sagaId`, the `step` of an override) and stay.
import type { ProblemDocument } from './problem-document';

/** What replaces a submitted value in an error text. */
export const REDACTED = '…';
/** Unquoted occurrences of shorter values are left: they would match ordinary words of the message. */
const MIN_UNQUOTED_LENGTH = 8;

export interface SubmittedRequest {
  body?: unknown;
  query?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

/** Every string value of the body and the query, and every header value (iteratively: bodies may be deep). */
export function submittedValues(req: SubmittedRequest): string[] {
  const out = new Set<string>();
  const stack: unknown[] = [req.body, req.query, req.headers];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v !== '') out.add(v);
    } else if (typeof v === 'object' && v !== null) {
      for (const child of Object.values(v)) stack.push(child);
    }
  }
  return [...out];
}

/**
 * The text with REDACTED for: every quoted submitted value; every quoted word (4+
 * characters, no space) taken from inside a submitted value, as in "there is no step
 * 'x'" about the reference '$.steps.x.output'; and every long submitted value anywhere.
 */
export function redactSubmitted(text: string, submitted: string[]): string {
  let out = text;
  // Longest first, so a value containing another is replaced whole.
  for (const value of [...submitted].sort((a, b) => b.length - a.length)) {
    if (!out.includes(value)) continue;
    for (const q of ["'", '"']) out = out.split(`${q}${value}${q}`).join(`${q}${REDACTED}${q}`);
    if (value.length >= MIN_UNQUOTED_LENGTH) out = out.split(value).join(REDACTED);
  }
  return out.replace(QUOTED_WORD, (quoted: string, single: string | undefined, double: string | undefined) => {
    const word = single ?? double ?? '';
    const q = quoted[0];
    return submitted.some((value) => value.includes(word)) ? `${q}${REDACTED}${q}` : quoted;
  });
}

const QUOTED_WORD = /'([^'\s]{4,})'|"([^"\s]{4,})"/g;

const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'code', 'errors']);

/** The problem with its detail and field messages scrubbed of submitted values, and without extension members that are one. */
export function withoutSubmittedValues(problem: ProblemDocument, submitted: string[]): ProblemDocument {
  if (submitted.length === 0) return problem;
  const values = new Set(submitted);
  const extensions = Object.entries(problem).filter(([name, value]) => !STANDARD_MEMBERS.has(name) && !(typeof value === 'string' && values.has(value)));
  return {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: redactSubmitted(problem.detail, submitted),
    ...(problem.instance !== undefined ? { instance: problem.instance } : {}),
    code: problem.code,
    ...(problem.errors ? { errors: problem.errors.map((e) => ({ field: e.field, message: redactSubmitted(e.message, submitted) })) } : {}),
    ...Object.fromEntries(extensions),
  };
}
