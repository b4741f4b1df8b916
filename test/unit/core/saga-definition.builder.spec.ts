import { canonicalDefinitionJson, defineSaga, InvalidDefinitionError, type SagaDefinition } from '../../../src/core';

const handWritten: SagaDefinition = {
  name: 'order',
  description: 'Reserve, charge, ship',
  inputSchema: { type: 'object', required: ['orderId'] },
  deadlineMs: 120_000,
  maxCompensationAttempts: 5,
  maxForwardAttempts: 20,
  steps: [
    {
      name: 'reserve',
      participant: 'stock',
      command: 'stock.reserve',
      compensation: 'stock.release',
      input: { orderId: '$.input.orderId', items: '$.input.items' },
    },
    {
      name: 'payment-and-notice',
      parallel: [
        { name: 'charge', participant: 'payments', command: 'payments.charge', compensation: 'payments.refund', retry: { maxAttempts: 5, jitter: 0 } },
        { name: 'notify', participant: 'mail', command: 'mail.order-received', timeoutMs: 5_000 },
      ],
    },
    { name: 'ship', participant: 'shipping', command: 'shipping.ship', pivot: true, input: { holdId: '$.steps.reserve.output.holdId' } },
    { name: 'invoice', participant: 'billing', command: 'billing.invoice' },
  ],
};

describe('the definition builder', () => {
  it('produces exactly the hand-written JSON document', () => {
    const built = defineSaga('order')
      .description('Reserve, charge, ship')
      .inputSchema({ type: 'object', required: ['orderId'] })
      .deadline(120_000)
      .maxCompensationAttempts(5)
      .maxForwardAttempts(20)
      .step({
        name: 'reserve',
        participant: 'stock',
        command: 'stock.reserve',
        compensation: 'stock.release',
        input: { orderId: '$.input.orderId', items: '$.input.items' },
      })
      .parallel(
        [
          { name: 'charge', participant: 'payments', command: 'payments.charge', compensation: 'payments.refund', retry: { maxAttempts: 5, jitter: 0 } },
          { name: 'notify', participant: 'mail', command: 'mail.order-received', timeoutMs: 5_000 },
        ],
        { name: 'payment-and-notice' },
      )
      .pivot({ name: 'ship', participant: 'shipping', command: 'shipping.ship', input: { holdId: '$.steps.reserve.output.holdId' } })
      .step({ name: 'invoice', participant: 'billing', command: 'billing.invoice' })
      .build();
    expect(built).toEqual(handWritten);
    expect(canonicalDefinitionJson(built)).toBe(canonicalDefinitionJson(handWritten));
  });

  it('adds nothing the author did not write', () => {
    expect(defineSaga('tiny').step({ name: 'a', participant: 'p', command: 'c' }).build()).toStrictEqual({
      name: 'tiny',
      steps: [{ name: 'a', participant: 'p', command: 'c' }],
    });
  });

  it('is immutable, so a prefix can be shared', () => {
    const base = defineSaga('o').step({ name: 'a', participant: 'p', command: 'c' });
    const one = base.step({ name: 'b', participant: 'p', command: 'c' }).build();
    const other = base.step({ name: 'x', participant: 'p', command: 'c' }).build();
    expect(one.steps.map((s) => ('name' in s ? s.name : ''))).toEqual(['a', 'b']);
    expect(other.steps.map((s) => ('name' in s ? s.name : ''))).toEqual(['a', 'x']);
  });

  it('does not accept a compensation after the pivot (type-checked)', () => {
    const afterPivot = defineSaga('o').pivot({ name: 'p', participant: 'p', command: 'c' });
    // @ts-expect-error steps after the pivot take no compensation
    afterPivot.step({ name: 'x', participant: 'p', command: 'c', compensation: 'u' });
    // @ts-expect-error the pivot flag is set by .pivot() only
    defineSaga('o').step({ name: 'x', participant: 'p', command: 'c', pivot: true });
    expect(afterPivot.step({ name: 'x', participant: 'p', command: 'c' }).build().steps).toHaveLength(2);
  });

  it('throws InvalidDefinitionError listing every problem', () => {
    const build = () =>
      defineSaga('o')
        .step({ name: 'a', participant: 'p', command: 'c' })
        .step({ name: 'a', participant: 'bad name', command: 'c', timeoutMs: -1 })
        .build();
    expect(build).toThrow(InvalidDefinitionError);
    try {
      build();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_DEFINITION', retriable: false });
      expect((error as InvalidDefinitionError).problems.map((p) => p.path).sort()).toEqual(['steps[1].name', 'steps[1].participant', 'steps[1].timeoutMs']);
      expect((error as Error).message).toContain("invalid saga definition 'o'");
    }
  });
});
