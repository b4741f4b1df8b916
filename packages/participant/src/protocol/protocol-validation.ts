// Parses and validates wire messages against the JSON Schemas shipped in ./schemas
// (the same files docs/protocol.md points participants in other languages to).
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import commandSchema from './schemas/command.schema.json';
import replySchema from './schemas/reply.schema.json';
import startSagaSchema from './schemas/start-saga.schema.json';
import lifecycleEventSchema from './schemas/lifecycle-event.schema.json';

export type ProtocolMessageKind = 'command' | 'reply' | 'start-saga' | 'lifecycle-event';

export type ParseResult<T> = { ok: true; message: T } | { ok: false; reason: string };

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

const validators: Record<ProtocolMessageKind, ValidateFunction> = {
  command: ajv.compile(commandSchema),
  reply: ajv.compile(replySchema),
  'start-saga': ajv.compile(startSagaSchema),
  'lifecycle-event': ajv.compile(lifecycleEventSchema),
};

/** Decodes bytes as JSON and checks them against the kind's schema; the reason lists every violation. */
export function parseProtocolMessage<T>(kind: ProtocolMessageKind, value: Buffer | string | null): ParseResult<T> {
  if (value === null || value.length === 0) return { ok: false, reason: `empty ${kind} message` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `${kind} message is not valid JSON: ${(err as Error).message}` };
  }
  const validate = validators[kind];
  if (!validate(parsed)) return { ok: false, reason: `${kind} message does not match its schema: ${describeErrors(validate.errors)}` };
  return { ok: true, message: parsed as T };
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`).join('; ');
}
