import { given, step } from './support/saga-scenario';
import type { SagaDefinition } from '../../../src/core';

const def: SagaDefinition = {
  name: 'order',
  maxForwardAttempts: 1,
  steps: [step('reserve'), step('charge', { pivot: true, compensation: undefined }), step('email', { compensation: undefined }), step('invoice', { compensation: undefined })],
};

function emailStuck() {
  return given(def).started().reply('reserve', 'success').reply('charge', 'success').reply('email', 'retry').expectStatus('FAILED');
}

describe('operator actions', () => {
  describe('RetryRequested', () => {
    it('re-sends a step waiting out its backoff now, with the next attempt number', () => {
      given(def)
        .started()
        .reply('reserve', 'retry')
        .retry('reserve')
        .expectApplied()
        .expectCommand('reserve', 'execute', { attempt: 2, commandId: 'saga-1:reserve:execute:2' })
        .expectLifecycle('step.retrying', 'reserve');
    });

    it('without a step, re-sends every step that is stuck or backing off', () => {
      emailStuck().retry().expectStatus('RUNNING').expectCommands('email:execute');
    });

    it('rejects a step that is not retryable, an unknown step, or nothing to retry', () => {
      given(def).started().retry('reserve').expectRejected('STEP_NOT_RETRYABLE');
      given(def).started().retry('nope').expectRejected('UNKNOWN_STEP');
      given(def).started().retry().expectRejected('NOTHING_TO_RETRY');
    });
  });

  describe('ResumeRequested', () => {
    it('moves FAILED back to the status it escalated from and continues', () => {
      emailStuck()
        .resume()
        .expectStatus('RUNNING')
        .expectCommand('email', 'execute', { attempt: 2 })
        .reply('email', 'success')
        .expectCommands('invoice:execute');
    });

    it('is rejected unless the saga is FAILED', () => {
      given(def).started().resume().expectRejected('SAGA_NOT_FAILED');
    });

    it('escalates again if the resumed step fails again', () => {
      emailStuck().resume().reply('email', 'retry').expectStatus('FAILED');
    });
  });

  describe('StepOverridden', () => {
    it('marks a stuck step as succeeded with the given output and continues', () => {
      emailStuck()
        .overrideSucceeded('email', { messageId: 'manual' }, 'sent by hand')
        .expectApplied()
        .expectStatus('RUNNING')
        .expectStep('email', 'SUCCEEDED')
        .expectLifecycle('step.succeeded', 'email')
        .expectCommands('invoice:execute')
        .check((s) => {
          expect(s.state.steps.email.output).toEqual({ messageId: 'manual' });
          expect(s.state.steps.email.override).toEqual({ as: 'succeeded', by: 'operator:ann', reason: 'sent by hand', at: s.now });
          expect(s.state.steps.email.needsAttention).toBeNull();
          expect(s.state.completionOrder).toEqual(['reserve', 'charge', 'email']);
        });
    });

    it('may mark a step waiting out its backoff as succeeded, cancelling the backoff', () => {
      given(def)
        .started()
        .reply('reserve', 'retry')
        .overrideSucceeded('reserve')
        .expectTimerCancelled('saga-1:backoff:reserve:execute:2')
        .expectCommands('charge:execute');
    });

    it('requires a reason', () => {
      emailStuck().overrideSucceeded('email', undefined, '  ').expectRejected('REASON_REQUIRED');
    });

    it('is rejected for a step that is not stuck, and compensated is rejected for a forward step after the pivot', () => {
      given(def).started().overrideSucceeded('reserve').expectRejected('STEP_NOT_OVERRIDABLE');
      emailStuck().overrideCompensated('email').expectRejected('STEP_NOT_OVERRIDABLE');
      emailStuck().overrideSucceeded('nope').expectRejected('UNKNOWN_STEP');
    });
  });
});
