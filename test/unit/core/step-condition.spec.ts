import fc from 'fast-check';
import { checkCondition, evaluateCondition, validateDefinition, type StepCondition } from '../../../src/core';

const input = { amount: 120, country: 'DE', express: true, coupon: null, tags: ['a'] };
const outputs = { check: { risk: 'low', score: 7 } };
const holds = (c: StepCondition): boolean => evaluateCondition(c, input, outputs);

describe('evaluateCondition', () => {
  it('compares with equals / notEquals deeply, key order ignored', () => {
    expect(holds({ ref: '$.input.country', equals: 'DE' })).toBe(true);
    expect(holds({ ref: '$.input.country', equals: 'FR' })).toBe(false);
    expect(holds({ ref: '$.steps.check.output', equals: { score: 7, risk: 'low' } })).toBe(true);
    expect(holds({ ref: '$.input.tags', notEquals: ['a'] })).toBe(false);
  });

  it('orders numbers and strings, and is false for any other pair of types', () => {
    expect(holds({ ref: '$.input.amount', gt: 100 })).toBe(true);
    expect(holds({ ref: '$.input.amount', gte: 120 })).toBe(true);
    expect(holds({ ref: '$.input.amount', lt: 120 })).toBe(false);
    expect(holds({ ref: '$.input.amount', lte: 120 })).toBe(true);
    expect(holds({ ref: '$.input.country', gt: 'CH' })).toBe(true);
    expect(holds({ ref: '$.input.missing', lt: 5 })).toBe(false);
    expect(holds({ ref: '$.input.country', lt: 5 })).toBe(false);
  });

  it('tells present from null or missing with exists', () => {
    expect(holds({ ref: '$.input.express', exists: true })).toBe(true);
    expect(holds({ ref: '$.input.coupon', exists: true })).toBe(false);
    expect(holds({ ref: '$.input.nothing.deeper', exists: false })).toBe(true);
  });

  it('compares two values of the saga when the operand is a reference, and $$ escapes a literal', () => {
    expect(holds({ ref: '$.steps.check.output.score', lt: '$.input.amount' })).toBe(true);
    expect(evaluateCondition({ ref: '$.input.code', equals: '$$X' }, { code: '$X' }, {})).toBe(true);
  });

  it('reads the output of a step that did not succeed as null', () => {
    expect(holds({ ref: '$.steps.skipped.output.x', exists: false })).toBe(true);
  });

  it('combines with all, any and not', () => {
    const big = { ref: '$.input.amount', gt: 100 };
    const fr = { ref: '$.input.country', equals: 'FR' };
    expect(holds({ all: [big, { not: fr }] })).toBe(true);
    expect(holds({ any: [fr, { not: big }] })).toBe(false);
  });

  it('not flips every condition, and all/any agree with every/some of their members (property)', () => {
    const leaf = fc.record({ ref: fc.constantFrom('$.input.amount', '$.input.country', '$.input.coupon'), gt: fc.oneof(fc.integer(), fc.string().filter((t) => !t.startsWith('$'))) });
    fc.assert(
      fc.property(fc.array(leaf, { minLength: 1, maxLength: 4 }), (leaves) => {
        for (const l of leaves) expect(holds({ not: l })).toBe(!holds(l));
        expect(holds({ all: leaves })).toBe(leaves.every(holds));
        expect(holds({ any: leaves })).toBe(leaves.some(holds));
      }),
    );
  });
});

describe('checkCondition', () => {
  const scope = { stageOf: new Map([['a', 0], ['b', 1], ['c', 1]]), step: 'b', stage: 1 };
  const messages = (c: unknown): string[] => checkCondition(c, scope, 'when').map((p) => `${p.path}: ${p.message}`);

  it('accepts well-formed conditions over the input and earlier steps', () => {
    expect(messages({ all: [{ ref: '$.input.x', gt: 1 }, { not: { ref: '$.steps.a.output.ok', equals: true } }] })).toEqual([]);
  });

  it('lists every problem with its path', () => {
    expect(messages({ any: [] })).toEqual(['when.any: must be a non-empty array of conditions']);
    expect(messages({ ref: 'input.x', equals: 1 })).toEqual(['when.ref: must be a reference: $.input… or $.steps.<step>.output…']);
    expect(messages({ ref: '$.input.x' })).toEqual(['when: needs exactly one operator of equals, notEquals, gt, gte, lt, lte, exists']);
    expect(messages({ ref: '$.input.x', gt: 1, lt: 3 })).toHaveLength(1);
    expect(messages({ ref: '$.input.x', exists: 'yes' })).toEqual(['when.exists: must be true or false']);
    expect(messages({ ref: '$.input.x', gt: [1] })).toEqual(['when.gt: must be a number, a string or a reference']);
    expect(messages({ ref: '$.input.x', like: 'a%' })[0]).toMatch(/^when\.like: unknown property 'like'/);
    expect(messages('amount > 3')).toEqual(['when: a condition must be an object: { ref, <operator> }, { all }, { any } or { not }']);
    expect(messages({ all: [{ ref: '$.input.x', gt: 1 }], any: [] })).toContain("when: 'all' stands alone in its object");
  });

  it('refuses references to steps that may not have finished, as for inputs', () => {
    expect(messages({ ref: '$.steps.c.output', exists: true })).toEqual([
      "when.ref: '$.steps.c.output': step 'c' runs in the same parallel group, so it may not have finished",
    ]);
    expect(messages({ ref: '$.input.x', equals: '$.steps.b.output' })).toEqual(["when.equals: '$.steps.b.output': a step cannot use its own output"]);
  });

  it('is part of definition validation', () => {
    const result = validateDefinition({
      name: 'x',
      steps: [
        { name: 'a', participant: 'p', command: 'a.do', when: { ref: '$.steps.b.output', exists: true } },
        { name: 'b', participant: 'p', command: 'b.do' },
      ],
    });
    expect(result).toEqual({ ok: false, problems: [{ path: 'steps[0].when.ref', message: "'$.steps.b.output': step 'b' runs later" }] });
  });

  it('refuses a conditional pivot: the point of no return cannot depend on data', () => {
    const result = validateDefinition({ name: 'x', steps: [{ name: 'a', participant: 'p', command: 'a.do', pivot: true, when: { ref: '$.input.go', exists: true } }] });
    expect(result).toEqual({ ok: false, problems: [{ path: 'steps[0].when', message: 'the pivot step cannot be conditional: it is the point of no return of every run' }] });
  });
});
