import { given, step, START_TIME } from './support/saga-scenario';
import type { SagaDefinition } from '../../../src/core';

/** reserve stock -> charge card -> ship: three compensatable steps. */
const order: SagaDefinition = {
  name: 'order',
  steps: [
    step('reserve', { input: { orderId: '$.input.orderId', items: '$.input.items' } }),
    step('charge', { input: { orderId: '$.input.orderId', holdId: '$.steps.reserve.output.holdId' }, timeoutMs: 5_000 }),
    step('ship', { retry: { maxAttempts: 2, initialBackoffMs: 100 } }),
  ],
};
const input = { orderId: 'o-1', items: [{ sku: 'A', qty: 2 }] };

describe('a sequential saga', () => {
  it('starts by sending the first command with its mapped input, a timeout and no more', () => {
    given(order, { input })
      .started()
      .expectApplied()
      .expectStatus('RUNNING')
      .expectLifecycle('saga.started')
      .expectCommands('reserve:execute')
      .expectCommand('reserve', 'execute', {
        commandId: 'saga-1:reserve:execute:1',
        attempt: 1,
        participant: 'reserve-service',
        commandType: 'reserve.do',
        payload: { orderId: 'o-1', items: [{ sku: 'A', qty: 2 }] },
        deadlineAt: START_TIME + 30_000,
      })
      .expectTimerScheduled('attempt-timeout', 'reserve', 'execute')
      .expectSteps({ reserve: 'RUNNING', charge: 'PENDING', ship: 'PENDING' });
  });

  it('runs every step in order and completes', () => {
    given(order, { input })
      .started()
      .reply('reserve', 'success', { output: { holdId: 'h-9' } })
      .expectCommands('charge:execute')
      .expectCommand('charge', 'execute', { payload: { orderId: 'o-1', holdId: 'h-9' } })
      .expectTimerCancelled('saga-1:timeout:reserve:execute:1')
      .expectLifecycle('step.succeeded', 'reserve')
      .reply('charge', 'success', { output: { paymentId: 'p-1' } })
      .expectCommands('ship:execute')
      .expectCommand('ship', 'execute', { payload: input })
      .reply('ship', 'success')
      .expectFinished('COMPLETED')
      .expectLifecycle('saga.completed')
      .expectNoCommand()
      .check((s) => {
        expect(s.state.completionOrder).toEqual(['reserve', 'charge', 'ship']);
        expect(s.state.finishedAt).toBe(s.now);
        expect(s.state.steps.charge.output).toEqual({ paymentId: 'p-1' });
        expect(s.state.seq).toBe(4);
      });
  });

  it('resolves a step input when the step starts, from outputs known at that moment', () => {
    given(order, { input })
      .started()
      .reply('reserve', 'success', { output: { holdId: 'h-1' } })
      .check((s) => expect(s.state.steps.charge.input).toEqual({ orderId: 'o-1', holdId: 'h-1' }));
  });

  describe.each([
    ['reserve', [], []],
    ['charge', ['reserve'], ['reserve']],
    ['ship', ['reserve', 'charge'], ['charge', 'reserve']],
  ])('when %s fails with a business failure', (failing, completed, compensatedInOrder) => {
    it(`compensates exactly ${compensatedInOrder.join(', ') || 'nothing'}, in reverse order`, () => {
      const s = given(order, { input }).started();
      for (const done of completed) s.reply(done, 'success', { output: { of: done } });
      s.reply(failing, 'failure', { error: { code: 'DECLINED', message: 'card declined' } })
        .expectLifecycle('step.failed', failing)
        .expectStep(failing, 'FAILED');
      if (compensatedInOrder.length === 0) {
        s.expectFinished('COMPENSATED').expectLifecycle('saga.compensating').expectLifecycle('saga.compensated');
      } else {
        s.expectStatus('COMPENSATING').expectCommands(`${compensatedInOrder[0]}:compensate`);
        for (const undone of compensatedInOrder) s.compensationReply(undone, 'success');
        s.expectFinished('COMPENSATED');
      }
      s.expectCompensationOrder(...compensatedInOrder).check((sc) => {
        expect(sc.state.compensationReason).toMatchObject({ cause: 'step-failed', step: failing });
        expect(sc.state.steps[failing].lastError).toMatchObject({ code: 'DECLINED', message: 'card declined' });
        for (const later of ['reserve', 'charge', 'ship'].slice(['reserve', 'charge', 'ship'].indexOf(failing) + 1)) {
          expect(sc.state.steps[later].status).toBe('SKIPPED');
        }
        for (const undone of compensatedInOrder) expect(sc.state.steps[undone].status).toBe('COMPENSATED');
      });
    });
  });

  it("sends a compensation the step's input and output", () => {
    given(order, { input })
      .started()
      .reply('reserve', 'success', { output: { holdId: 'h-1' } })
      .reply('charge', 'failure')
      .expectCommand('reserve', 'compensate', {
        commandId: 'saga-1:reserve:compensate:1',
        commandType: 'reserve.undo',
        payload: { input: { orderId: 'o-1', items: [{ sku: 'A', qty: 2 }] }, output: { holdId: 'h-1' } },
      });
  });

  it('retries a retryable failure after a backoff, then continues', () => {
    given(order, { input })
      .started()
      .reply('reserve', 'retry', { error: { code: 'BUSY', message: 'try later' } })
      .expectStep('reserve', 'RETRY_WAIT')
      .expectNoCommand()
      .expectLifecycle('step.retrying', 'reserve')
      .expectTimerScheduled('backoff', 'reserve', 'execute')
      .check((s) => expect(s.state.steps.reserve.dueAt).toBe(START_TIME + 200))
      .backoffElapsed('reserve')
      .expectCommand('reserve', 'execute', { attempt: 2, commandId: 'saga-1:reserve:execute:2' })
      .reply('reserve', 'success')
      .expectCommands('charge:execute')
      .check((s) => expect(s.state.steps.reserve.mayHaveApplied).toBe(false));
  });

  it('backs off exponentially between retries', () => {
    const s = given(order, { input }).started();
    s.reply('reserve', 'retry');
    expect(s.state.steps.reserve.dueAt! - s.now).toBe(200);
    s.backoffElapsed('reserve').reply('reserve', 'retry');
    expect(s.state.steps.reserve.dueAt! - s.now).toBe(400);
  });

  it('after exhausting retries with only retryable replies, compensates earlier steps but not the failed one', () => {
    given(order, { input })
      .started()
      .reply('reserve', 'success')
      .failRetryably('charge', 3)
      .expectStep('charge', 'FAILED')
      .expectStatus('COMPENSATING')
      .expectCommands('reserve:compensate')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED')
      .expectCompensationOrder('reserve');
  });

  it('counts a timeout as a retryable failure that may have applied', () => {
    given(order, { input })
      .started()
      .timeout('reserve')
      .expectStep('reserve', 'RETRY_WAIT')
      .expectNoCommand()
      .check((s) => {
        expect(s.state.steps.reserve.mayHaveApplied).toBe(true);
        expect(s.state.steps.reserve.lastError).toMatchObject({ code: 'ATTEMPT_TIMED_OUT', attempt: 1 });
        // The fired timer is consumed, not cancelled.
        expect(s.cancelledTimers).toEqual([]);
      })
      .backoffElapsed('reserve')
      .reply('reserve', 'success')
      .expectCommands('charge:execute');
  });

  it('compensates a step that exhausted its attempts after a timeout, since it may have applied', () => {
    given(order, { input })
      .started()
      .reply('reserve', 'success')
      .timeout('charge')
      .backoffElapsed('charge')
      .reply('charge', 'retry')
      .backoffElapsed('charge')
      .timeout('charge')
      .expectLifecycle('step.failed', 'charge')
      .expectStatus('COMPENSATING')
      .expectCommands('charge:compensate')
      .expectStep('charge', 'COMPENSATING')
      .check((s) => expect(s.state.steps.charge.mayHaveApplied).toBe(true))
      .compensationReply('charge', 'success')
      .expectCommands('reserve:compensate')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED')
      .expectCompensationOrder('charge', 'reserve');
  });

  it('skips steps without a compensation command (read-only steps) when compensating', () => {
    given({ name: 'quote', steps: [step('reserve'), step('lookup', { compensation: undefined }), step('charge')] })
      .started()
      .reply('reserve', 'success')
      .reply('lookup', 'success')
      .reply('charge', 'failure')
      .expectCommands('reserve:compensate')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED')
      .expectStep('lookup', 'SUCCEEDED');
  });

  it('finishes COMPENSATED at once when nothing needs undoing', () => {
    given({ name: 'readonly', steps: [step('look', { compensation: undefined }), step('charge')] })
      .started()
      .reply('look', 'success')
      .reply('charge', 'failure')
      .expectFinished('COMPENSATED')
      .expectNoCommand();
  });

  it('uses the retry and timeout settings of each step', () => {
    given(order, { input })
      .started()
      .reply('reserve', 'success')
      .expectCommand('charge', 'execute', { deadlineAt: START_TIME + 5_000 })
      .reply('charge', 'success')
      .failRetryably('ship', 2)
      .expectStep('ship', 'FAILED')
      .expectStatus('COMPENSATING');
  });
});
