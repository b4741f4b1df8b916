// Parses and validates wire messages against the JSON Schemas shipped in ./schemas
// (the same files docs/protocol.md points participants in other languages to), and
// against what the schemas cannot say: a size limit, valid UTF-8, a nesting limit
// checked before parsing, and strings PostgreSQL can store (see storable-json.ts).
// Whatever fails here is dead-lettered with the reason; nothing that passes can make
// a database write fail for being malformed.
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import commandSchema from './schemas/command.schema.json';
import replySchema from './schemas/reply.schema.json';
import startSagaSchema from './schemas/start-saga.schema.json';
import lifecycleEventSchema from './schemas/lifecycle-event.schema.json';
import { jsonTextExceedsDepth, MAX_JSON_DEPTH, storableText, unstorableJsonProblems } from './storable-json';

export type ProtocolMessageKind = 'command' | 'reply' | 'start-saga' | 'lifecycle-event';

export type ParseResult<T> = { ok: true; message: T } | { ok: false; reason: string };

/**
 * Largest message of each kind, in bytes. Commands are built from saga inputs and step
 * outputs (a compensation carries both), so what the coordinator accepts is kept well
 * under Kafka's default 1 MiB `message.max.bytes`, which every command must fit.
 */
export const MAX_MESSAGE_BYTES: Readonly<Record<ProtocolMessageKind, number>> = Object.freeze({
  'start-saga': 256 * 1024,
  reply: 256 * 1024,
  command: 1024 * 1024,
  'lifecycle-event': 1024 * 1024,
});

/** At most this many schema violations are listed in a reason (ajv reports every one, which for a large array is thousands). */
const MAX_LISTED_ERRORS = 10;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

const schemas: Record<ProtocolMessageKind, object> = {
  command: commandSchema,
  reply: replySchema,
  'start-saga': startSagaSchema,
  'lifecycle-event': lifecycleEventSchema,
};

/** Compiled on first use: the four together take 40 ms at load, which every process would pay before it can answer anything. */
const validators: Partial<Record<ProtocolMessageKind, ValidateFunction>> = {};

function validatorOf(kind: ProtocolMessageKind): ValidateFunction {
  return (validators[kind] ??= ajv.compile(schemas[kind]));
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes bytes as JSON and checks them against the kind's schema; the reason lists every violation. */
export function parseProtocolMessage<T>(kind: ProtocolMessageKind, value: Buffer | string | null): ParseResult<T> {
  if (value === null || value.length === 0) return { ok: false, reason: `empty ${kind} message` };
  const bytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
  if (bytes > MAX_MESSAGE_BYTES[kind]) return { ok: false, reason: `${kind} message is ${bytes} bytes, more than the limit of ${MAX_MESSAGE_BYTES[kind]}` };
  let text: string;
  try {
    text = typeof value === 'string' ? value : utf8.decode(value);
  } catch {
    return { ok: false, reason: `${kind} message is not valid UTF-8` };
  }
  if (jsonTextExceedsDepth(text)) return { ok: false, reason: `${kind} message nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8 quotes the start of the text in its message, NULs included.
    return { ok: false, reason: `${kind} message is not valid JSON: ${storableText((err as Error).message)}` };
  }
  const unstorable = unstorableJsonProblems(parsed, { maxProblems: 5 });
  if (unstorable.length > 0) {
    return { ok: false, reason: `${kind} message cannot be stored: ${unstorable.map((p) => `${p.path || '(root)'} ${p.message}`).join('; ')}` };
  }
  const validate = validatorOf(kind);
  if (!validate(parsed)) return { ok: false, reason: `${kind} message does not match its schema: ${describeErrors(validate.errors)}` };
  return { ok: true, message: parsed as T };
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const all = errors ?? [];
  const listed = all.slice(0, MAX_LISTED_ERRORS).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
  if (all.length > MAX_LISTED_ERRORS) listed.push(`and ${all.length - MAX_LISTED_ERRORS} more`);
  return listed.join('; ');
}
