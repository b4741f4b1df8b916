// Saga input schemas (a definition's inputSchema) are compiled by one Ajv, with formats,
// both when a definition is registered (does it compile?) and when a saga starts (does
// the input match?), so a schema never passes one and fails the other.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { JsonObject } from '@saga-coordinator/participant/protocol';

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));

/** Throws when `schema` is not a valid JSON Schema. */
export function compileInputSchema(schema: JsonObject): ValidateFunction {
  return ajv.compile(schema);
}
