import { given, step } from './support/saga-scenario';
import type { SagaDefinition } from '../../../src/core';

/** reserve -> [charge || notify || loyalty] -> ship */
const withGroup: SagaDefinition = {
  name: 'order',
  steps: [
    step('reserve'),
    { name: 'payment-and-notices', parallel: [step('charge'), step('notify'), step('loyalty', { compensation: undefined })] },
    step('ship', { input: { charged: '$.steps.charge.output', notified: '$.steps.notify.output.sent' } }),
  ],
};

describe('a parallel group', () => {
  it('sends every member command at once and succeeds when all members have', () => {
    given(withGroup)
      .started()
      .reply('reserve', 'success')
      .expectCommands('charge:execute', 'notify:execute', 'loyalty:execute')
      .expectSteps({ charge: 'RUNNING', notify: 'RUNNING', loyalty: 'RUNNING' })
      .reply('notify', 'success', { output: { sent: true } })
      .expectNoCommand()
      .reply('charge', 'success', { output: { paymentId: 'p' } })
      .expectNoCommand()
      .reply('loyalty', 'success')
      .expectCommands('ship:execute')
      .expectCommand('ship', 'execute', { payload: { charged: { paymentId: 'p' }, notified: true } })
      .reply('ship', 'success')
      .expectFinished('COMPLETED');
  });

  it('retries a member independently of its siblings', () => {
    given(withGroup)
      .started()
      .reply('reserve', 'success')
      .reply('charge', 'retry')
      .reply('notify', 'success')
      .reply('loyalty', 'success')
      .expectNoCommand()
      .backoffElapsed('charge')
      .expectCommands('charge:execute')
      .reply('charge', 'success')
      .expectCommands('ship:execute');
  });

  it('on a member failure waits for in-flight siblings, then compensates the ones that succeeded, the group as one stage', () => {
    given(withGroup)
      .started()
      .reply('reserve', 'success')
      .reply('notify', 'success')
      .reply('charge', 'failure')
      .expectStatus('COMPENSATING')
      .expectNoCommand() // loyalty is still in flight
      .reply('loyalty', 'success')
      .expectCommands('notify:compensate') // charge failed (not applied), loyalty has no compensation
      .compensationReply('notify', 'success')
      .expectCommands('reserve:compensate')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED')
      .expectCompensationOrder('notify', 'reserve');
  });

  it('compensates the succeeded members of the group concurrently, and earlier stages only after all of them', () => {
    const def: SagaDefinition = {
      name: 'trip',
      steps: [step('flight'), { parallel: [step('hotel'), step('car')] }, step('pay')],
    };
    given(def)
      .started()
      .reply('flight', 'success')
      .reply('hotel', 'success')
      .reply('car', 'success')
      .reply('pay', 'failure')
      .expectCommands('hotel:compensate', 'car:compensate')
      .compensationReply('car', 'success')
      .expectNoCommand()
      .compensationReply('hotel', 'success')
      .expectCommands('flight:compensate')
      .compensationReply('flight', 'success')
      .expectFinished('COMPENSATED');
  });

  it('abandons a sibling waiting out a backoff when another member fails, compensating it only if it may have applied', () => {
    given({ name: 'trip', steps: [{ parallel: [step('hotel'), step('car'), step('bike')] }] })
      .started()
      .timeout('hotel') // may have applied, now backing off
      .reply('bike', 'retry') // did not apply, now backing off
      .reply('car', 'failure')
      .expectSteps({ hotel: 'COMPENSATING', car: 'FAILED', bike: 'FAILED' })
      .expectCommands('hotel:compensate')
      .check((s) => {
        expect(s.cancelledTimers).toEqual(
          expect.arrayContaining(['saga-1:backoff:hotel:execute:2', 'saga-1:backoff:bike:execute:2']),
        );
      })
      .compensationReply('hotel', 'success')
      .expectFinished('COMPENSATED');
  });

  it('does not retry an in-flight sibling that answers "retry" after the group failed', () => {
    given({ name: 'trip', steps: [step('flight'), { parallel: [step('hotel'), step('car')] }] })
      .started()
      .reply('flight', 'success')
      .reply('car', 'failure')
      .reply('hotel', 'retry')
      .expectStep('hotel', 'FAILED')
      .expectCommands('flight:compensate');
  });

  it('compensates an in-flight sibling that times out after the group failed', () => {
    given({ name: 'trip', steps: [{ parallel: [step('hotel'), step('car')] }] })
      .started()
      .reply('car', 'failure')
      .timeout('hotel')
      .expectCommands('hotel:compensate')
      .compensationReply('hotel', 'success')
      .expectFinished('COMPENSATED');
  });
});
