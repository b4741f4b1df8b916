import { validateDefinition, type DefinitionProblem } from '../../../src/core';

const valid = {
  name: 'order',
  steps: [
    { name: 'reserve', participant: 'stock', command: 'stock.reserve', compensation: 'stock.release' },
    { name: 'charge', participant: 'payments', command: 'payments.charge', pivot: true },
    { name: 'email', participant: 'mail', command: 'mail.send' },
  ],
};

function problemsOf(doc: unknown): DefinitionProblem[] {
  const result = validateDefinition(doc);
  return result.ok ? [] : result.problems;
}

function paths(doc: unknown): string[] {
  return problemsOf(doc).map((p) => p.path);
}

describe('validateDefinition', () => {
  it('accepts a valid document and returns a detached copy', () => {
    const result = validateDefinition(valid);
    expect(result).toEqual({ ok: true, definition: valid });
    if (result.ok) expect(result.definition).not.toBe(valid);
  });

  it('rejects a document that is not an object', () => {
    expect(problemsOf(null)).toEqual([{ path: '', message: expect.stringContaining('object') }]);
    expect(problemsOf([valid])).toHaveLength(1);
  });

  it('lists every problem of a broken document, each with its JSON path', () => {
    const broken = {
      name: '1order',
      colour: 'red',
      deadlineMs: -5,
      maxCompensationAttempts: 1.5,
      steps: [
        { name: 'reserve', participant: 'stock', command: 'stock.reserve', compensaton: 'typo' },
        {
          parallel: [
            { name: 'charge', participant: 'pay ments', command: 'c', retry: { maxAttempts: 0, multiplier: 0.5, jitter: 2, initialBackoffMs: 500, maxBackoffMs: 100, extra: 1 } },
            { name: 'reserve', participant: 'p', command: 'c', pivot: true },
          ],
        },
        { name: 'ship', participant: 'p', command: 'c', timeoutMs: 0, input: { id: '$.steps.later.output', bad: '$input.x' } },
        { name: 'later', participant: 'p', command: 'c', pivot: 'yes' },
        'not a step',
      ],
    };
    expect(paths(broken).sort()).toEqual(
      [
        'name',
        'colour',
        'deadlineMs',
        'maxCompensationAttempts',
        'steps[0].compensaton',
        'steps[1].parallel[0].participant',
        'steps[1].parallel[0].retry.maxAttempts',
        'steps[1].parallel[0].retry.multiplier',
        'steps[1].parallel[0].retry.jitter',
        'steps[1].parallel[0].retry.maxBackoffMs',
        'steps[1].parallel[0].retry.extra',
        'steps[1].parallel[1].name', // duplicate of steps[0]
        'steps[1].parallel[1].pivot', // pivot inside a group
        'steps[2].timeoutMs',
        'steps[2].input.id', // references a later step
        'steps[2].input.bad', // malformed reference
        'steps[3].pivot',
        'steps[4]',
      ].sort(),
    );
  });

  it('explains each problem', () => {
    const problems = problemsOf({ name: 'o', steps: [{ name: 'a', participant: 'p', command: 'c', retry: { maxAttempts: 0 } }] });
    expect(problems).toEqual([{ path: 'steps[0].retry.maxAttempts', message: 'must be a positive integer' }]);
  });

  it('requires name, steps and the fields of each step', () => {
    expect(paths({})).toEqual(['name', 'steps']);
    expect(paths({ name: 'o', steps: [] })).toEqual(['steps']);
    expect(paths({ name: 'o', steps: [{}] }).sort()).toEqual(['steps[0].command', 'steps[0].name', 'steps[0].participant']);
  });

  it('checks names against the identifier pattern', () => {
    const named = (name: string) => paths({ name, steps: [{ name: 'a', participant: 'p', command: 'c' }] });
    expect(named('order.v2_final-x')).toEqual([]);
    expect(named('')).toEqual(['name']);
    expect(named('has space')).toEqual(['name']);
    expect(named('colon:name')).toEqual(['name']);
    expect(named('x'.repeat(101))).toEqual(['name']);
    expect(named('x'.repeat(100))).toEqual([]);
  });

  it('rejects parallel groups that are too small, nested, or hold a pivot', () => {
    const s = (name: string, extra = {}) => ({ name, participant: 'p', command: 'c', ...extra });
    expect(paths({ name: 'o', steps: [{ parallel: [s('a')] }] })).toEqual(['steps[0].parallel']);
    expect(paths({ name: 'o', steps: [{ parallel: [s('a'), { parallel: [s('b'), s('c')] }] }] })).toEqual(['steps[0].parallel[1]']);
    expect(paths({ name: 'o', steps: [{ parallel: [s('a'), s('b', { pivot: true })] }] })).toEqual(['steps[0].parallel[1].pivot']);
    expect(paths({ name: 'o', steps: [{ parallel: 'x' }] })).toEqual(['steps[0].parallel']);
    expect(paths({ name: 'o', steps: [{ parallel: [s('a'), s('b')], name: 'g', command: 'x' }] })).toEqual(['steps[0].command']);
  });

  it('makes group names unique among step names too', () => {
    const s = (name: string) => ({ name, participant: 'p', command: 'c' });
    expect(paths({ name: 'o', steps: [s('a'), { name: 'a', parallel: [s('b'), s('c')] }] })).toEqual(['steps[1].name']);
  });

  it('allows one pivot; steps after it may not have a compensation; steps before it may omit theirs', () => {
    const s = (name: string, extra = {}) => ({ name, participant: 'p', command: 'c', ...extra });
    expect(paths({ name: 'o', steps: [s('read'), s('a', { compensation: 'u' }), s('p', { pivot: true, compensation: 'u' }), s('b')] })).toEqual([]);
    expect(paths({ name: 'o', steps: [s('a', { pivot: true }), s('b', { pivot: true }), s('c', { compensation: 'u' })] })).toEqual([
      'steps[1].pivot',
      'steps[2].compensation',
    ]);
    expect(paths({ name: 'o', steps: [s('a', { pivot: true }), { parallel: [s('b', { compensation: 'u' }), s('c')] }] })).toEqual([
      'steps[1].parallel[0].compensation',
    ]);
  });

  it('compares maxBackoffMs with initialBackoffMs including defaults', () => {
    const retry = (r: object) => problemsOf({ name: 'o', steps: [{ name: 'a', participant: 'p', command: 'c', retry: r }] });
    expect(retry({ initialBackoffMs: 200_000 })).toEqual([
      { path: 'steps[0].retry.maxBackoffMs', message: 'maxBackoffMs 120000 (the default) must be >= initialBackoffMs 200000' },
    ]);
    expect(retry({ initialBackoffMs: 200_000, maxBackoffMs: 200_000 })).toEqual([]);
    expect(retry({ minRetryWindowMs: 0 })).toEqual([]);
    expect(retry({ minRetryWindowMs: -1 })).toEqual([{ path: 'steps[0].retry.minRetryWindowMs', message: 'must be an integer >= 0' }]);
    expect(retry({ jitter: 0 })).toEqual([]);
    expect(retry({ jitter: 1, multiplier: 1 })).toEqual([]);
  });

  it('checks that inputSchema is an object and inputs are JSON', () => {
    expect(paths({ ...valid, inputSchema: 'string' })).toEqual(['inputSchema']);
    expect(paths({ ...valid, inputSchema: { type: 'object' } })).toEqual([]);
    const withInput = (input: unknown) => paths({ name: 'o', steps: [{ name: 'a', participant: 'p', command: 'c', input }] });
    expect(withInput({ when: new Date(0) })).toEqual(['steps[0].input']);
    expect(withInput({ n: Number.NaN })).toEqual(['steps[0].input']);
    expect(withInput([1, 'two', null, { three: true }])).toEqual([]);
  });

  it('treats properties set to undefined as absent and drops them from the result', () => {
    const result = validateDefinition({ name: 'o', description: undefined, steps: [{ name: 'a', participant: 'p', command: 'c', compensation: undefined }] });
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.keys(result.definition.steps[0])).toEqual(['name', 'participant', 'command']);
  });

  it('checks input references against the stages', () => {
    const s = (name: string, input?: unknown) => ({ name, participant: 'p', command: 'c', ...(input === undefined ? {} : { input }) });
    const doc = {
      name: 'o',
      steps: [
        s('a'),
        { parallel: [s('b', '$.steps.a.output'), s('c', { fromSibling: '$.steps.b.output' })] },
        s('d', ['$.steps.c.output.x', '$.steps.d.output', '$.steps.zzz.output', '$.steps.e.output', '$$.steps.zzz.output']),
        s('e'),
      ],
    };
    expect(problemsOf(doc)).toEqual([
      { path: 'steps[1].parallel[1].input.fromSibling', message: "'$.steps.b.output': step 'b' runs in the same parallel group, so it may not have finished" },
      { path: 'steps[2].input[1]', message: "'$.steps.d.output': a step cannot use its own output" },
      { path: 'steps[2].input[2]', message: "'$.steps.zzz.output': there is no step 'zzz'" },
      { path: 'steps[2].input[3]', message: "'$.steps.e.output': step 'e' runs later" },
    ]);
  });
});
