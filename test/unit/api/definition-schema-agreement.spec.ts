// The OpenAPI schema of a definition document and the core's validation say the same
// thing: the same properties at every level, and no document that one accepts and the
// other refuses on shape. (The core checks more: unique names, one pivot, references.)
import Ajv from 'ajv';
import fc from 'fast-check';
import { DEFINITION_DOCUMENT_SCHEMA } from '../../../src/api/definitions/definition-document.schema';
import { DEFINITION_DOCUMENT_KEYS, validateDefinition } from '../../../src/core/definition-validation';

type Schema = { properties?: Record<string, Schema>; items?: Schema & { oneOf?: Schema[] }; oneOf?: Schema[] };
const schema = DEFINITION_DOCUMENT_SCHEMA as Schema;
const [stepSchema, groupSchema] = schema.properties!.steps.items!.oneOf!;
const keys = (s: Schema) => Object.keys(s.properties ?? {}).sort();

describe('the definition document schema and the core validation', () => {
  it('name the same properties at every level', () => {
    expect(keys(schema)).toEqual([...DEFINITION_DOCUMENT_KEYS.document].sort());
    expect(keys(stepSchema)).toEqual([...DEFINITION_DOCUMENT_KEYS.step].sort());
    expect(keys(groupSchema)).toEqual([...DEFINITION_DOCUMENT_KEYS.group].sort());
    expect(keys(stepSchema.properties!.retry)).toEqual([...DEFINITION_DOCUMENT_KEYS.retry].sort());
  });

  it('agree on every generated document: the core never accepts what the schema refuses', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const schemaAccepts = ajv.compile(DEFINITION_DOCUMENT_SCHEMA);
    // Mostly valid values, sometimes a wrong one, so that both verdicts occur often.
    const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: invalid, weight: 1 });
    const withStray = <T extends object>(object: fc.Arbitrary<T>) =>
      fc.tuple(object, fc.integer({ min: 0, max: 15 })).map(([o, dice]) => (dice === 0 ? { ...o, stray: true } : o));
    const name = mostly(fc.constantFrom('a', 'step-1', 'b.c_d', 'orders'), fc.constantFrom('', '1x', 'has space', 'x'.repeat(101), 7));
    const positive = mostly(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(0, -1, 0.5, '3'));
    const nonNegative = mostly(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(-1, 0.5, '3'));
    const retry = withStray(
      fc.record(
        {
          maxAttempts: positive,
          initialBackoffMs: positive,
          maxBackoffMs: positive,
          multiplier: mostly(fc.double({ min: 1, max: 4, noNaN: true }), fc.constantFrom(0.5, -1, 'x')),
          jitter: mostly(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(1.5, -0.1, 'x')),
          minRetryWindowMs: nonNegative,
        },
        { requiredKeys: [] },
      ),
    );
    const stepName = fc.constantFrom('s1', 's2', 's3', 's4', 's5', 's6', 's7');
    const step = withStray(
      fc.record(
        {
          name: mostly(stepName, name),
          participant: name,
          command: name,
          compensation: name,
          pivot: mostly(fc.constant(false), fc.constantFrom(true, 'yes')),
          timeoutMs: positive,
          retry: mostly(retry, fc.constant('fast')),
          input: fc.constantFrom('$.input', { a: '$.input.a' }),
        },
        { requiredKeys: ['name', 'participant', 'command'] },
      ),
    );
    const group = withStray(fc.record({ name: mostly(fc.constant('g'), name), parallel: fc.array(step, { minLength: 1, maxLength: 3 }) }, { requiredKeys: ['parallel'] }));
    const doc = withStray(
      fc.record(
        {
          name,
          description: mostly(fc.string(), fc.constant(3)),
          inputSchema: mostly(fc.constant({ type: 'object' }), fc.constant('x')),
          deadlineMs: positive,
          maxCompensationAttempts: positive,
          minCompensationWindowMs: nonNegative,
          maxForwardAttempts: positive,
          steps: mostly(fc.array(fc.oneof({ arbitrary: step, weight: 4 }, { arbitrary: group, weight: 1 }), { minLength: 1, maxLength: 3 }), fc.constantFrom('none', [])),
        },
        { requiredKeys: ['name', 'steps'] },
      ),
    );
    let coreAccepted = 0;
    fc.assert(
      fc.property(doc, (d) => {
        const core = validateDefinition(d).ok;
        if (core) coreAccepted += 1;
        // Accepted by the core implies accepted by the schema (equivalently: refused by the schema implies refused by the core).
        return !core || schemaAccepts(d) === true;
      }),
      { numRuns: 3_000 },
    );
    // The property means something only if both verdicts were common.
    expect(coreAccepted).toBeGreaterThan(100);
    expect(coreAccepted).toBeLessThan(2_700);
  });

  it('agree on the documents the docs show', () => {
    const ajv = new Ajv({ strict: false });
    const example = (DEFINITION_DOCUMENT_SCHEMA as { example: unknown }).example;
    expect(ajv.validate(DEFINITION_DOCUMENT_SCHEMA, example)).toBe(true);
    expect(validateDefinition(example).ok).toBe(true);
  });
});
