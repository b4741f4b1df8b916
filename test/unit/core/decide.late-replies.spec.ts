import type { SagaDefinition } from '../../../src/core';
import { given, step } from './support/saga-scenario';

// One action, one outcome: a decisive reply for any attempt of the action in progress settles
// the step, also after the step escalated to an operator; the saga then continues by itself.
describe('late decisive replies', () => {
  const afterPivot: SagaDefinition = {
    name: 'order',
    maxForwardAttempts: 2,
    steps: [step('reserve'), step('charge', { pivot: true, compensation: undefined }), step('ship', { compensation: undefined })],
  };

  it('a success for a step that escalated after exhausting its attempts resolves it and the saga completes', () => {
    given(afterPivot)
      .started()
      .reply('reserve', 'success')
      .reply('charge', 'success')
      .timeout('ship')
      .backoffElapsed('ship')
      .timeout('ship')
      .expectStatus('FAILED')
      .check((s) => expect(s.state.steps.ship.needsAttention?.reason).toBe('FORWARD_ATTEMPTS_EXHAUSTED'))
      .reply('ship', 'success', { attempt: 1, output: { trackingId: 't-9' } })
      .expectApplied()
      .expectStep('ship', 'SUCCEEDED')
      .expectLifecycle('step.succeeded', 'ship')
      .expectFinished('COMPLETED')
      .check((s) => {
        expect(s.state.steps.ship.needsAttention).toBeNull();
        expect(s.state.escalation).toBeNull();
        expect(s.lifecycle.find((e) => e.eventType === 'step.succeeded')?.data).toMatchObject({ late: true, attempt: 1 });
      });
  });

  it('a business failure for such a step keeps it with the operator, now as a failure after the pivot', () => {
    given(afterPivot)
      .started()
      .reply('reserve', 'success')
      .reply('charge', 'success')
      .timeout('ship')
      .backoffElapsed('ship')
      .timeout('ship')
      .reply('ship', 'failure', { attempt: 2, error: { code: 'NO_ADDRESS', message: 'no address' } })
      .expectApplied()
      .expectStatus('FAILED')
      .check((s) => expect(s.state.steps.ship.needsAttention?.reason).toBe('STEP_FAILED_AFTER_PIVOT'))
      // A contradicting success afterwards changes nothing: the action already has its outcome.
      .reply('ship', 'success', { attempt: 1 })
      .expectIgnored('STALE_ATTEMPT');
  });

  const pivotUnknown: SagaDefinition = {
    name: 'order',
    steps: [step('reserve'), step('charge', { pivot: true, compensation: undefined, retry: { maxAttempts: 1 } }), step('ship', { compensation: undefined })],
  };

  it('a pivot whose outcome was unknown goes forward on a late success', () => {
    given(pivotUnknown)
      .started()
      .reply('reserve', 'success')
      .timeout('charge')
      .expectStatus('FAILED')
      .check((s) => expect(s.state.steps.charge.needsAttention?.reason).toBe('PIVOT_OUTCOME_UNKNOWN'))
      .reply('charge', 'success', { attempt: 1 })
      .expectStatus('RUNNING')
      .expectCommand('ship', 'execute');
  });

  it('a pivot whose outcome was unknown compensates the steps before it on a late business failure', () => {
    given(pivotUnknown)
      .started()
      .reply('reserve', 'success')
      .timeout('charge')
      .reply('charge', 'failure', { attempt: 1 })
      .expectStatus('COMPENSATING')
      .expectCommands('reserve:compensate')
      .check((s) => expect(s.state.compensationReason).toMatchObject({ cause: 'step-failed', step: 'charge' }))
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED');
  });

  it('a compensation that escalated is settled by a late success and the compensation continues', () => {
    given({ name: 'trip', maxCompensationAttempts: 2, steps: [step('hotel'), step('car'), step('pay')] })
      .started()
      .reply('hotel', 'success')
      .reply('car', 'success')
      .reply('pay', 'failure')
      .compensationReply('car', 'retry')
      .backoffElapsed('car')
      .compensationReply('car', 'retry')
      .expectStatus('FAILED')
      .compensationReply('car', 'success', { attempt: 1 })
      .expectApplied()
      .expectStep('car', 'COMPENSATED')
      .expectStatus('COMPENSATING')
      .expectCommands('hotel:compensate')
      .compensationReply('hotel', 'success')
      .expectFinished('COMPENSATED');
  });

  it('a step abandoned to the compensation learns its outcome from a late reply', () => {
    const def: SagaDefinition = { name: 'o', steps: [step('reserve'), step('charge')] };
    // charge times out (may have applied), then the saga is cancelled during its backoff.
    given(def)
      .started()
      .reply('reserve', 'success')
      .timeout('charge')
      .cancel()
      .expectStatus('COMPENSATING')
      .expectCommands('charge:compensate')
      .check((s) => expect(s.state.steps.charge.mayHaveApplied).toBe(true));
    // A late business failure before its compensation was sent: nothing to undo for it.
    given({ name: 'p', steps: [{ parallel: [step('a'), step('b')] }, step('c')] })
      .started()
      .reply('a', 'success')
      .timeout('b')
      .cancel()
      .expectCommands('a:compensate', 'b:compensate');
  });

  it('ignores every answer to attempts sent before an operator started a fresh budget', () => {
    given(afterPivot)
      .started()
      .reply('reserve', 'success')
      .reply('charge', 'success')
      .reply('ship', 'failure')
      .expectStatus('FAILED')
      .retry('ship')
      .expectCommand('ship', 'execute', { attempt: 2 })
      .reply('ship', 'failure', { attempt: 1 })
      .expectIgnored('STALE_ATTEMPT')
      .reply('ship', 'success', { attempt: 2 })
      .expectFinished('COMPLETED');
  });
});
