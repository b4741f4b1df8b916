import { defineSaga, validateDefinition, type SagaDefinition } from '../../../src/core';
import { given, step } from './support/saga-scenario';

/** reserve -> (express shipping only if the order asks for it) -> invoice; the saga's output names what happened. */
const order: SagaDefinition = {
  name: 'order',
  output: { orderId: '$.input.orderId', invoice: '$.steps.invoice.output.number', express: '$.steps.express.output' },
  steps: [
    step('reserve'),
    step('express', { when: { ref: '$.input.express', equals: true } }),
    step('invoice', { when: { any: [{ ref: '$.input.amount', gt: 0 }, { ref: '$.steps.reserve.output.free', exists: false }] } }),
  ],
};

describe('a saga output', () => {
  it('is evaluated when the saga completes, stored, and carried by saga.completed', () => {
    given(order, { input: { orderId: 'o-1', express: true, amount: 5 } })
      .started()
      .reply('reserve', 'success')
      .reply('express', 'success', { output: { carrier: 'dhl' } })
      .reply('invoice', 'success', { output: { number: 'INV-9' } })
      .expectFinished('COMPLETED')
      .check((s) => {
        expect(s.state.output).toEqual({ orderId: 'o-1', invoice: 'INV-9', express: { carrier: 'dhl' } });
        const completed = s.lifecycle.find((e) => e.eventType === 'saga.completed');
        expect(completed).toMatchObject({ data: { output: { orderId: 'o-1', invoice: 'INV-9', express: { carrier: 'dhl' } } } });
      });
  });

  it('is null when the saga is compensated', () => {
    given(order, { input: { orderId: 'o-1', express: true, amount: 5 } })
      .started()
      .reply('reserve', 'success')
      .reply('express', 'failure')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED')
      .check((s) => {
        expect(s.state.output).toBeNull();
        expect(s.state.compensationReason).toMatchObject({ cause: 'step-failed', step: 'express' });
      });
  });

  it('is null for a definition without an output mapping', () => {
    given({ name: 'plain', steps: [step('a')] })
      .started()
      .reply('a', 'success', { output: { x: 1 } })
      .expectFinished('COMPLETED')
      .check((s) => expect(s.state.output).toBeNull());
  });

  it('is checked at registration like any mapping', () => {
    expect(validateDefinition({ ...order, output: { x: '$.steps.nope.output', y: '$input' } })).toEqual({
      ok: false,
      problems: [
        { path: 'output.x', message: "'$.steps.nope.output': there is no step 'nope'" },
        { path: 'output.y', message: "malformed reference '$input': a reference starts with $.input or $.steps.<step>.output; write $$ for a literal leading $" },
      ],
    });
  });
});

describe('conditional steps', () => {
  it('skip a step whose condition does not hold: SKIPPED, no command, its output reads as null', () => {
    given(order, { input: { orderId: 'o-1', express: false, amount: 5 } })
      .started()
      .reply('reserve', 'success')
      .expectCommands('invoice:execute')
      .expectLifecycle('step.skipped', 'express')
      .expectSteps({ reserve: 'SUCCEEDED', express: 'SKIPPED', invoice: 'RUNNING' })
      .reply('invoice', 'success', { output: { number: 'INV-1' } })
      .expectFinished('COMPLETED')
      .check((s) => expect(s.state.output).toEqual({ orderId: 'o-1', invoice: 'INV-1', express: null }));
  });

  it('never compensate a skipped step', () => {
    const doc: SagaDefinition = {
      name: 'undo',
      steps: [step('a', { compensation: 'a.undo' }), step('b', { compensation: 'b.undo', when: { ref: '$.input.b', exists: true } }), step('c')],
    };
    given(doc, { input: {} })
      .started()
      .reply('a', 'success')
      .expectSteps({ b: 'SKIPPED', c: 'RUNNING' })
      .reply('c', 'failure')
      .expectCommands('a:compensate')
      .compensationReply('a', 'success')
      .expectFinished('COMPENSATED')
      .check((s) => expect(s.state.steps.b).toMatchObject({ status: 'SKIPPED', attempt: 0, compensationAttempt: 0 }));
  });

  it('decide on outputs of earlier steps, evaluated when the stage is reached', () => {
    const doc: SagaDefinition = {
      name: 'risk',
      steps: [step('score'), { parallel: [step('review', { when: { ref: '$.steps.score.output.risk', gte: 5 } }), step('notify')] }],
    };
    given(doc, { input: {} })
      .started()
      .reply('score', 'success', { output: { risk: 7 } })
      .expectCommands('review:execute', 'notify:execute');
    given(doc, { input: {} })
      .started()
      .reply('score', 'success', { output: { risk: 2 } })
      .expectCommands('notify:execute')
      .expectStep('review', 'SKIPPED')
      .reply('notify', 'success')
      .expectFinished('COMPLETED');
  });

  it('complete a saga whose every step is skipped', () => {
    given({ name: 'none', output: { done: true }, steps: [step('a', { when: { ref: '$.input.go', equals: true } })] }, { input: { go: false } })
      .started()
      .expectFinished('COMPLETED')
      .expectNoCommand()
      .check((s) => expect(s.state.output).toEqual({ done: true }));
  });

  it('emit step.started once per step and action, not per retry', () => {
    given({ name: 'r', steps: [step('a', { compensation: 'a.undo', retry: { maxAttempts: 3, minRetryWindowMs: 0 } }), step('b')] }, { input: {} })
      .started()
      .expectLifecycle('step.started', 'a')
      .check((s) => expect(s.lifecycle.find((e) => e.eventType === 'step.started')).toMatchObject({ data: { action: 'execute' } }))
      .reply('a', 'retry')
      .backoffElapsed('a')
      .check((s) => expect(s.lifecycle.filter((e) => e.eventType === 'step.started')).toEqual([]))
      .reply('a', 'success')
      .reply('b', 'failure')
      .expectCommands('a:compensate')
      .check((s) => expect(s.lifecycle.find((e) => e.eventType === 'step.started')).toMatchObject({ step: 'a', data: { action: 'compensate' } }));
  });
});

describe('the builder', () => {
  it('produces the same document with output and when', () => {
    const built = defineSaga('order')
      .output(order.output!)
      .step(step('reserve'))
      .step(step('express', { when: { ref: '$.input.express', equals: true } }))
      .step(step('invoice', { when: { any: [{ ref: '$.input.amount', gt: 0 }, { ref: '$.steps.reserve.output.free', exists: false }] } }))
      .build();
    expect(built).toEqual(order);
    expect(defineSaga('t').concurrencyKey('$.input.account').step(step('a')).build()).toEqual({ name: 't', concurrencyKey: '$.input.account', steps: [step('a')] });
    expect(() => defineSaga('t').concurrencyKey('$.steps.a.output').step(step('a')).build()).toThrow(/concurrencyKey/);
  });
});
