import { given, step, START_TIME } from './support/saga-scenario';
import type { SagaDefinition } from '../../../src/core';

const def: SagaDefinition = {
  name: 'order',
  deadlineMs: 60_000,
  steps: [step('reserve'), { parallel: [step('charge'), step('notify')] }, step('ship')],
};

const one: SagaDefinition = { name: 'one', steps: [step('reserve')] };

describe('cancel', () => {
  it('while a step runs: waits for its reply, then compensates what was done', () => {
    given(def)
      .started()
      .reply('reserve', 'success')
      .cancel('customer called')
      .expectApplied()
      .expectStatus('COMPENSATING')
      .expectLifecycle('saga.compensating')
      .expectNoCommand()
      .expectTimerCancelled('saga-1:deadline')
      .check((s) => expect(s.state.compensationReason).toMatchObject({ cause: 'cancel-requested', by: 'api:test', message: 'customer called' }))
      .reply('charge', 'success')
      .expectNoCommand()
      .reply('notify', 'failure')
      .expectCommands('charge:compensate')
      .compensationReply('charge', 'success')
      .expectCommands('reserve:compensate')
      .compensationReply('reserve', 'success')
      .expectFinished('COMPENSATED')
      .expectStep('ship', 'SKIPPED');
  });

  it('while a parallel group is in flight: compensates the members that succeeded or may have applied', () => {
    given(def)
      .started()
      .reply('reserve', 'success')
      .cancel()
      .timeout('charge')
      .reply('notify', 'success')
      .expectCommands('charge:compensate', 'notify:compensate');
  });

  it('during a backoff: abandons the retry at once', () => {
    given(def)
      .started()
      .reply('reserve', 'retry')
      .cancel()
      .expectTimerCancelled('saga-1:backoff:reserve:execute:2')
      .expectFinished('COMPENSATED')
      .expectStep('reserve', 'FAILED');
  });

  it('is ignored when the saga already compensates or was compensated because of a cancel', () => {
    given(def).started().reply('reserve', 'success').reply('charge', 'failure').cancel().expectIgnored('ALREADY_COMPENSATING');
    given(one).started().cancel().reply('reserve', 'success').compensationReply('reserve', 'success').expectFinished('COMPENSATED').cancel().expectIgnored('ALREADY_CANCELLED');
  });

  it('is rejected for a saga that finished otherwise: what it asks for cannot be done', () => {
    given(def).started().reply('reserve', 'failure').expectFinished('COMPENSATED').cancel().expectRejected('SAGA_FINISHED');
    given(one).started().reply('reserve', 'success').expectFinished('COMPLETED').cancel().expectRejected('SAGA_FINISHED');
  });
});

describe('the saga deadline', () => {
  it('is scheduled when the saga starts', () => {
    given(def)
      .started()
      .expectTimerScheduled('deadline')
      .check((s) => {
        expect(s.state.deadlineAt).toBe(START_TIME + 60_000);
        expect(s.scheduledTimers.find((t) => t.kind === 'deadline')).toEqual({
          type: 'ScheduleTimer',
          timerId: 'saga-1:deadline',
          kind: 'deadline',
          dueAt: START_TIME + 60_000,
        });
      });
  });

  it('behaves like a cancel with reason "deadline"', () => {
    given(def)
      .started()
      .reply('reserve', 'success')
      .reply('charge', 'success')
      .reply('notify', 'success')
      .deadline()
      .expectApplied()
      .expectStatus('COMPENSATING')
      .expectNoCommand() // ship is in flight
      .check((s) => {
        expect(s.state.compensationReason).toMatchObject({ cause: 'deadline-reached', message: 'deadline' });
        expect(s.cancelledTimers).not.toContain('saga-1:deadline'); // it fired; nothing to cancel
      })
      .reply('ship', 'success')
      .expectCommands('ship:compensate');
  });

  it('is cancelled when the saga completes', () => {
    given(def)
      .started()
      .reply('reserve', 'success')
      .reply('charge', 'success')
      .reply('notify', 'success')
      .reply('ship', 'success')
      .expectFinished('COMPLETED')
      .expectTimerCancelled('saga-1:deadline');
  });

  it('does not exist without deadlineMs, and a stray DeadlineReached is ignored', () => {
    given({ name: 'x', steps: [step('a')] })
      .started()
      .check((s) => expect(s.scheduledTimers.map((t) => t.kind)).toEqual(['attempt-timeout']))
      .deadline()
      .expectIgnored('NO_DEADLINE');
  });
});
