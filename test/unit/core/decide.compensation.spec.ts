import { given, step } from './support/saga-scenario';
import type { SagaDefinition } from '../../../src/core';

const def: SagaDefinition = {
  name: 'order',
  maxCompensationAttempts: 3,
  steps: [step('reserve'), step('charge', { retry: { initialBackoffMs: 50, maxBackoffMs: 1_000 } }), step('ship')],
};

/** A saga whose `ship` failed, so it is compensating `charge`. */
function compensatingCharge() {
  return given(def)
    .started()
    .reply('reserve', 'success')
    .reply('charge', 'success')
    .reply('ship', 'failure')
    .expectCommands('charge:compensate');
}

describe('compensation', () => {
  it('retries a failing compensation with backoff until it succeeds', () => {
    compensatingCharge()
      .compensationReply('charge', 'retry')
      .expectStep('charge', 'COMPENSATION_RETRY_WAIT')
      .expectTimerScheduled('backoff', 'charge', 'compensate')
      .expectLifecycle('step.retrying', 'charge')
      .backoffElapsed('charge')
      .expectCommand('charge', 'compensate', { attempt: 2, commandId: 'saga-1:charge:compensate:2' })
      .compensationReply('charge', 'failure') // a refusal counts as "not yet"
      .backoffElapsed('charge')
      .expectCommand('charge', 'compensate', { attempt: 3 })
      .compensationReply('charge', 'success')
      .expectCommands('reserve:compensate')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED');
  });

  it('retries a compensation whose attempt timed out', () => {
    compensatingCharge()
      .timeout('charge')
      .expectStep('charge', 'COMPENSATION_RETRY_WAIT')
      .backoffElapsed('charge')
      .expectCommand('charge', 'compensate', { attempt: 2 });
  });

  it('escalates to FAILED when a compensation exhausts maxCompensationAttempts, without looping', () => {
    compensatingCharge()
      .compensationReply('charge', 'retry')
      .backoffElapsed('charge')
      .compensationReply('charge', 'retry')
      .backoffElapsed('charge')
      .compensationReply('charge', 'retry')
      .expectStep('charge', 'COMPENSATION_FAILED')
      .expectStatus('FAILED')
      .expectLifecycle('saga.failed')
      .expectNoCommand()
      .check((s) => {
        expect(s.state.escalation).toEqual({ from: 'COMPENSATING', steps: ['charge'], at: s.now });
        expect(s.state.steps.charge.needsAttention?.reason).toBe('COMPENSATION_ATTEMPTS_EXHAUSTED');
        expect(s.scheduledTimers).toEqual([]);
        expect(s.effects.some((e) => e.type === 'FinishSaga')).toBe(false);
      });
  });

  it('after escalation, RetryRequested re-sends the compensation with a fresh attempt and budget, then finishes', () => {
    const s = compensatingCharge()
      .compensationReply('charge', 'retry')
      .backoffElapsed('charge')
      .compensationReply('charge', 'retry')
      .backoffElapsed('charge')
      .compensationReply('charge', 'retry')
      .expectStatus('FAILED')
      .retry('charge')
      .expectApplied()
      .expectStatus('COMPENSATING')
      .expectCommand('charge', 'compensate', { attempt: 4, commandId: 'saga-1:charge:compensate:4' })
      .check((sc) => expect(sc.state.steps.charge.compensationAttemptsSinceReset).toBe(1));
    // The budget is fresh: two more failures do not escalate.
    s.compensationReply('charge', 'retry').backoffElapsed('charge').compensationReply('charge', 'retry').expectStatus('COMPENSATING');
    s.backoffElapsed('charge')
      .compensationReply('charge', 'success')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED');
  });

  it('after escalation, ResumeRequested continues the compensation', () => {
    compensatingCharge()
      .compensationReply('charge', 'retry')
      .backoffElapsed('charge')
      .compensationReply('charge', 'retry')
      .backoffElapsed('charge')
      .compensationReply('charge', 'retry')
      .resume()
      .expectStatus('COMPENSATING')
      .expectCommands('charge:compensate')
      .compensationReply('charge', 'success')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED')
      .check((s) => expect(s.state.escalation).toBeNull());
  });

  it('in a group, escalates only after every sibling compensation has settled', () => {
    given({ name: 'trip', maxCompensationAttempts: 1, steps: [{ parallel: [step('hotel'), step('car')] }, step('pay')] })
      .started()
      .reply('hotel', 'success')
      .reply('car', 'success')
      .reply('pay', 'failure')
      .compensationReply('hotel', 'retry')
      .expectStep('hotel', 'COMPENSATION_FAILED')
      .expectStatus('COMPENSATING') // car's compensation is still in flight
      .compensationReply('car', 'success')
      .expectStatus('FAILED')
      .check((s) => expect(s.state.escalation?.steps).toEqual(['hotel']));
  });

  it('an operator may mark a stuck compensation as done, and the saga continues', () => {
    compensatingCharge()
      .compensationReply('charge', 'retry')
      .backoffElapsed('charge')
      .compensationReply('charge', 'retry')
      .backoffElapsed('charge')
      .compensationReply('charge', 'retry')
      .overrideCompensated('charge', 'refunded by hand, ticket #42')
      .expectApplied()
      .expectStep('charge', 'COMPENSATED')
      .expectLifecycle('step.compensated', 'charge')
      .expectCommands('reserve:compensate')
      .check((s) => expect(s.state.steps.charge.override).toMatchObject({ as: 'compensated', by: 'operator:ann', reason: 'refunded by hand, ticket #42' }));
  });
});
