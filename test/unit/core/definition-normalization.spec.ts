import {
  canonicalDefinitionJson,
  canonicalJson,
  DEFAULT_RETRY_POLICY,
  findStep,
  getStep,
  InvalidDefinitionError,
  normalizeDefinition,
  UnknownStepError,
  type SagaDefinition,
} from '../../../src/core';

const doc: SagaDefinition = {
  name: 'order',
  maxForwardAttempts: 7,
  steps: [
    { name: 'reserve', participant: 'stock', command: 'stock.reserve', compensation: 'stock.release' },
    { name: 'g', parallel: [{ name: 'a', participant: 'p', command: 'c', retry: { maxAttempts: 9 } }, { name: 'b', participant: 'p', command: 'c' }] },
    { name: 'charge', participant: 'pay', command: 'pay.charge', pivot: true },
    { name: 'email', participant: 'mail', command: 'mail.send', retry: { initialBackoffMs: 1_000 } },
  ],
};

describe('normalizeDefinition', () => {
  const def = normalizeDefinition(doc);

  it('applies every default once', () => {
    expect(def).toMatchObject({ name: 'order', description: null, inputSchema: null, deadlineMs: null, maxCompensationAttempts: 20, minCompensationWindowMs: 1_800_000, maxForwardAttempts: 7, pivot: 'charge', output: null });
    expect(getStep(def, 'reserve')).toEqual({
      name: 'reserve',
      participant: 'stock',
      command: 'stock.reserve',
      compensation: 'stock.release',
      phase: 'compensatable',
      stage: 0,
      retry: { ...DEFAULT_RETRY_POLICY },
      timeoutMs: 30_000,
      input: '$.input',
      when: null,
    });
  });

  it('merges a partial retry policy field by field', () => {
    expect(getStep(def, 'a').retry).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 9 });
  });

  it('gives steps after the pivot the saga maxForwardAttempts, and names their phase', () => {
    expect(getStep(def, 'email')).toMatchObject({ phase: 'retriable', stage: 3, compensation: null, retry: { maxAttempts: 7, initialBackoffMs: 1_000 } });
    expect(getStep(def, 'charge').phase).toBe('pivot');
    expect(def.stages.map((s) => [s.index, s.name, s.parallel, s.steps.map((x) => x.name)])).toEqual([
      [0, null, false, ['reserve']],
      [1, 'g', true, ['a', 'b']],
      [2, null, false, ['charge']],
      [3, null, false, ['email']],
    ]);
  });

  it('throws InvalidDefinitionError for an invalid document', () => {
    expect(() => normalizeDefinition({ name: 'x', steps: [] })).toThrow(InvalidDefinitionError);
  });

  it('finds steps by name safely', () => {
    expect(findStep(def, 'toString')).toBeUndefined();
    expect(() => getStep(def, 'nope')).toThrow(UnknownStepError);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(def))).toEqual(def);
  });
});

describe('canonicalDefinitionJson', () => {
  it('is the same for documents that differ only in key order or spelt-out defaults', () => {
    const reordered = JSON.parse(JSON.stringify(doc), (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    ) as SagaDefinition;
    const explicit: SagaDefinition = { ...doc, maxCompensationAttempts: 20, minCompensationWindowMs: 1_800_000, steps: [{ ...(doc.steps[0] as object), timeoutMs: 30_000, input: '$.input' } as never, ...doc.steps.slice(1)] };
    expect(canonicalDefinitionJson(reordered)).toBe(canonicalDefinitionJson(doc));
    expect(canonicalDefinitionJson(explicit)).toBe(canonicalDefinitionJson(doc));
    expect(canonicalDefinitionJson(normalizeDefinition(doc))).toBe(canonicalDefinitionJson(doc));
  });

  it('changes when behaviour changes', () => {
    const changed: SagaDefinition = { ...doc, deadlineMs: 1_000 };
    expect(canonicalDefinitionJson(changed)).not.toBe(canonicalDefinitionJson(doc));
  });

  it('sorts keys and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x', { d: 2, c: 1.5 }] })).toBe('{"a":[true,null,"x",{"c":1.5,"d":2}],"b":1}');
  });
});
