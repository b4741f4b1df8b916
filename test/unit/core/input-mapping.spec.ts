import { checkInputReferences, InvalidInputReferenceError, parseTemplateString, resolveStepInput } from '../../../src/core';

const sagaInput = { customer: { id: 'c-1', tier: 'gold' }, items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 3 }], total: 42 };
const outputs = { reserve: { holdId: 'h-1', lines: [{ id: 7 }] }, lookup: 'plain-string' };

describe('resolveStepInput', () => {
  it('replaces whole-string references and copies everything else', () => {
    expect(
      resolveStepInput(
        {
          customerId: '$.input.customer.id',
          firstSku: '$.input.items.0.sku',
          hold: '$.steps.reserve.output.holdId',
          line: '$.steps.reserve.output.lines.0',
          everything: '$.steps.lookup.output',
          constant: 5,
          flag: false,
          nothing: null,
          text: 'not $.input.total, no interpolation',
          list: ['$.input.total', 'x'],
        },
        sagaInput,
        outputs,
      ),
    ).toEqual({
      customerId: 'c-1',
      firstSku: 'A',
      hold: 'h-1',
      line: { id: 7 },
      everything: 'plain-string',
      constant: 5,
      flag: false,
      nothing: null,
      text: 'not $.input.total, no interpolation',
      list: [42, 'x'],
    });
  });

  it('gives the whole saga input for "$.input"', () => {
    expect(resolveStepInput('$.input', sagaInput, {})).toEqual(sagaInput);
  });

  it('resolves a missing path to null', () => {
    expect(
      resolveStepInput(
        ['$.input.nope', '$.input.items.9', '$.input.items.x', '$.input.total.deeper', '$.steps.never.output', '$.input.items.01'],
        sagaInput,
        outputs,
      ),
    ).toEqual([null, null, null, null, null, null]);
  });

  it('does not follow inherited properties', () => {
    expect(resolveStepInput(['$.input.constructor', '$.input.customer.toString', '$.steps.toString.output'], sagaInput, outputs)).toEqual([null, null, null]);
  });

  it('unescapes "$$" to a literal "$"', () => {
    expect(resolveStepInput({ price: '$$5', ref: '$$.input' }, sagaInput, outputs)).toEqual({ price: '$5', ref: '$.input' });
  });

  it('keeps a "__proto__" key of the template as data', () => {
    const template = JSON.parse('{"__proto__": "$.input.total"}') as Record<string, unknown>;
    const result = resolveStepInput(template as never, sagaInput, outputs) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(result, '__proto__')).toBe(true);
    expect(result['__proto__']).toBe(42);
  });

  it('throws on a malformed reference (validation rejects these at registration)', () => {
    expect(() => resolveStepInput('$input.x', sagaInput, outputs)).toThrow(InvalidInputReferenceError);
  });

  it('does not mutate its arguments', () => {
    const template = { a: ['$.input.items'] };
    const copy = structuredClone(template);
    const result = resolveStepInput(template, sagaInput, outputs) as { a: unknown[] };
    expect(template).toEqual(copy);
    (result.a[0] as unknown[]).push('x');
    expect(sagaInput.items).toHaveLength(2);
  });
});

describe('parseTemplateString', () => {
  it.each([
    ['$.input', { kind: 'reference', reference: { source: 'input', path: [] } }],
    ['$.input.a.0', { kind: 'reference', reference: { source: 'input', path: ['a', '0'] } }],
    ['$.steps.reserve.output', { kind: 'reference', reference: { source: 'step', step: 'reserve', path: [] } }],
    ['$.steps.stock.reserve.output.id', { kind: 'reference', reference: { source: 'step', step: 'stock.reserve', path: ['id'] } }],
    ['plain', { kind: 'literal', value: 'plain' }],
    ['$$x', { kind: 'literal', value: '$x' }],
  ])('%s', (text, expected) => {
    expect(parseTemplateString(text)).toEqual(expected);
  });

  it.each(['$', '$input', '$.inputs', '$.input.', '$.input..a', '$.steps.a', '$.steps.output', '$.steps..output', '$.other'])(
    '%s is malformed',
    (text) => {
      expect(parseTemplateString(text).kind).toBe('malformed');
    },
  );
});

describe('checkInputReferences', () => {
  const stageOf = new Map([
    ['a', 0],
    ['b', 1],
    ['c', 1],
    ['d', 2],
  ]);

  it('accepts references to earlier stages and to the saga input', () => {
    expect(checkInputReferences({ x: '$.steps.a.output.id', y: '$.input.z' }, { stageOf, step: 'b', stage: 1 }, 'steps[1].parallel[0].input')).toEqual([]);
  });

  it('reports each bad reference at its path', () => {
    expect(
      checkInputReferences({ sib: '$.steps.c.output', later: ['$.steps.d.output'], bad: '$nope' }, { stageOf, step: 'b', stage: 1 }, 'in'),
    ).toEqual([
      { path: 'in.sib', message: expect.stringContaining('same parallel group') },
      { path: 'in.later[0]', message: expect.stringContaining('runs later') },
      { path: 'in.bad', message: expect.stringContaining('malformed') },
    ]);
  });

  it('writes odd keys in bracket notation', () => {
    expect(checkInputReferences({ 'odd key': '$x' }, { stageOf, step: 'a', stage: 0 }, 'in')).toEqual([
      { path: 'in["odd key"]', message: expect.any(String) },
    ]);
  });
});
