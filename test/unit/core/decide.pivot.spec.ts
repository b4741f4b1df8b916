import { given, step } from './support/saga-scenario';
import type { SagaDefinition } from '../../../src/core';

/** reserve -> charge (pivot) -> [email || invoice]: after the charge, the order only goes forward. */
const def: SagaDefinition = {
  name: 'order',
  deadlineMs: 60_000,
  maxForwardAttempts: 3,
  steps: [
    step('reserve'),
    step('charge', { pivot: true, compensation: undefined }),
    { parallel: [step('email', { compensation: undefined }), step('invoice', { compensation: undefined, retry: { maxAttempts: 2 } })] },
  ],
};

function pastPivot() {
  return given(def).started().reply('reserve', 'success').reply('charge', 'success').expectCommands('email:execute', 'invoice:execute');
}

describe('the pivot', () => {
  it('completes normally when every step succeeds', () => {
    pastPivot().reply('email', 'success').reply('invoice', 'success').expectFinished('COMPLETED');
  });

  it('when the pivot fails, compensates the steps before it', () => {
    given(def)
      .started()
      .reply('reserve', 'success')
      .reply('charge', 'failure')
      .expectStatus('COMPENSATING')
      .expectCommands('reserve:compensate')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED')
      .expectSteps({ email: 'SKIPPED', invoice: 'SKIPPED' });
  });

  it('when the pivot exhausts its attempts without ever timing out, compensates the steps before it', () => {
    given(def)
      .started()
      .reply('reserve', 'success')
      .failRetryably('charge', 3)
      .expectStatus('COMPENSATING')
      .expectCommands('reserve:compensate');
  });

  it('when the pivot may have applied and cannot be compensated, asks an operator instead of guessing', () => {
    given(def)
      .started()
      .reply('reserve', 'success')
      .timeout('charge')
      .backoffElapsed('charge')
      .reply('charge', 'retry')
      .backoffElapsed('charge')
      .reply('charge', 'retry')
      .expectStatus('FAILED')
      .expectNoCommand()
      .check((s) => {
        expect(s.state.steps.charge.needsAttention?.reason).toBe('PIVOT_OUTCOME_UNKNOWN');
        expect(s.state.escalation).toMatchObject({ from: 'RUNNING', steps: ['charge'] });
      });
  });

  it('an operator resolves an unknown pivot outcome forward (succeeded) or backward (compensated)', () => {
    const stuck = () =>
      given(def).started().reply('reserve', 'success').timeout('charge').backoffElapsed('charge').timeout('charge').backoffElapsed('charge').timeout('charge').expectStatus('FAILED');
    stuck().overrideSucceeded('charge', { paymentId: 'manual' }, 'bank confirms payment').expectStatus('RUNNING').expectCommands('email:execute', 'invoice:execute');
    stuck()
      .overrideCompensated('charge', 'bank confirms no payment')
      .expectStatus('COMPENSATING')
      .expectCommands('reserve:compensate')
      .check((s) => expect(s.state.compensationReason).toMatchObject({ cause: 'step-overridden', step: 'charge', by: 'operator:ann' }))
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED');
  });

  it('a pivot with a compensation that may have applied is compensated like any step', () => {
    given({ name: 'p', steps: [step('reserve'), step('charge', { pivot: true, retry: { maxAttempts: 1 } }), step('email', { compensation: undefined })] })
      .started()
      .reply('reserve', 'success')
      .timeout('charge')
      .expectStatus('COMPENSATING')
      .expectCommands('charge:compensate')
      .compensationReply('charge', 'success')
      .expectCommands('reserve:compensate');
  });

  it('after the pivot succeeded, retries later steps until they succeed and never compensates', () => {
    pastPivot()
      .reply('email', 'success')
      .reply('invoice', 'retry')
      .backoffElapsed('invoice')
      .reply('invoice', 'success')
      .expectFinished('COMPLETED')
      .check((s) => expect(s.allCommands.filter((c) => c.action === 'compensate')).toEqual([]));
  });

  it('after the pivot, a business failure escalates to FAILED (needs an operator) instead of compensating', () => {
    pastPivot()
      .reply('email', 'failure')
      .expectStatus('RUNNING') // invoice still in flight
      .reply('invoice', 'success')
      .expectStatus('FAILED')
      .expectNoCommand()
      .check((s) => expect(s.state.steps.email.needsAttention?.reason).toBe('STEP_FAILED_AFTER_PIVOT'));
  });

  it('after the pivot, exhausted attempts escalate; resume re-sends with a fresh budget and the saga completes', () => {
    pastPivot()
      .reply('email', 'success')
      .failRetryably('invoice', 2)
      .expectStatus('FAILED')
      .check((s) => expect(s.state.steps.invoice.needsAttention?.reason).toBe('FORWARD_ATTEMPTS_EXHAUSTED'))
      .resume()
      .expectStatus('RUNNING')
      .expectCommand('invoice', 'execute', { attempt: 3 })
      .reply('invoice', 'success')
      .expectFinished('COMPLETED')
      .check((s) => expect(s.allCommands.filter((c) => c.action === 'compensate')).toEqual([]));
  });

  it('steps after the pivot default to maxForwardAttempts', () => {
    pastPivot()
      .failRetryably('email', 2)
      .expectStep('email', 'RUNNING')
      .failRetryably('email', 1)
      .expectStep('email', 'FAILED');
  });

  it('refuses a cancel once the pivot has started', () => {
    given(def).started().reply('reserve', 'success').cancel().expectRejected('SAGA_NOT_CANCELLABLE').expectStatus('RUNNING');
    pastPivot().cancel().expectRejected('SAGA_NOT_CANCELLABLE');
  });

  it('cancels the deadline timer when the pivot starts, and ignores a deadline that fires anyway', () => {
    given(def)
      .started()
      .expectTimerScheduled('deadline')
      .reply('reserve', 'success')
      .expectTimerCancelled('saga-1:deadline')
      .deadline()
      .expectIgnored('PAST_PIVOT');
  });
});
