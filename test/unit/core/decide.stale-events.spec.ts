import { decide, normalizeDefinition, createSagaState, SagaNotStartedError, DefinitionMismatchError, type SagaDefinition } from '../../../src/core';
import { given, step, START_TIME } from './support/saga-scenario';

const def: SagaDefinition = { name: 'order', steps: [step('reserve'), step('charge')] };

describe('stale and duplicate events', () => {
  it('ignores a duplicate reply for a step that already succeeded', () => {
    given(def).started().reply('reserve', 'success').reply('reserve', 'success', { attempt: 1 }).expectIgnored('NOT_AWAITING_REPLY');
  });

  it('ignores a late retry answer for an older attempt', () => {
    given(def)
      .started()
      .timeout('reserve')
      .backoffElapsed('reserve')
      .reply('reserve', 'retry', { attempt: 1 })
      .expectIgnored('STALE_ATTEMPT')
      .expectStep('reserve', 'RUNNING');
  });

  it('applies a late success for an older attempt while a newer one is out: the action has one outcome', () => {
    given(def)
      .started()
      .timeout('reserve')
      .backoffElapsed('reserve')
      .reply('reserve', 'success', { attempt: 1, output: { holdId: 'h1' } })
      .expectApplied()
      .expectStep('reserve', 'SUCCEEDED')
      .expectCommand('charge', 'execute')
      .expectTimerCancelled('saga-1:timeout:reserve:execute:2')
      .check((s) => {
        expect(s.state.steps.reserve.output).toEqual({ holdId: 'h1' });
        const results = s.effects.filter((e) => e.type === 'RecordAttemptResult');
        expect(results).toEqual([
          expect.objectContaining({ commandId: 'saga-1:reserve:execute:1', status: 'SUCCEEDED', output: { holdId: 'h1' } }),
          expect.objectContaining({ commandId: 'saga-1:reserve:execute:2', status: 'ABANDONED' }),
        ]);
      })
      // The newer attempt's answer (the same outcome, from the participant's barrier) changes nothing.
      .reply('reserve', 'success', { attempt: 2 })
      .expectIgnored('NOT_AWAITING_REPLY');
  });

  it('applies a late business failure for an older attempt during the backoff', () => {
    given(def)
      .started()
      .timeout('reserve')
      .expectStep('reserve', 'RETRY_WAIT')
      .reply('reserve', 'failure', { attempt: 1 })
      .expectApplied()
      .expectStep('reserve', 'FAILED')
      // Attempt 1 timed out, so it may have applied, until its answer said it did not: nothing to undo.
      .check((s) => expect(s.state.steps.reserve.mayHaveApplied).toBe(false))
      .expectNoCommand()
      .expectFinished('COMPENSATED');
  });

  it('ignores a reply for an attempt that was never sent', () => {
    given(def).started().reply('reserve', 'success', { attempt: 7 }).expectIgnored('UNKNOWN_ATTEMPT');
  });

  it('ignores a reply for a step that has not started, or for an unknown step', () => {
    given(def).started().reply('charge', 'success', { attempt: 1 }).expectIgnored('UNKNOWN_ATTEMPT');
    given(def).started().reply('nope', 'success', { attempt: 1 }).expectIgnored('UNKNOWN_STEP');
    // Names that exist on Object.prototype are not steps either.
    given(def).started().reply('constructor', 'success', { attempt: 1 }).expectIgnored('UNKNOWN_STEP');
  });

  it('ignores a reply to the wrong action', () => {
    given(def).started().reply('reserve', 'success').compensationReply('reserve', 'success', { attempt: 1 }).expectIgnored('UNKNOWN_ATTEMPT');
  });

  it('ignores everything but operator requests on a finished saga', () => {
    const done = given(def).started().reply('reserve', 'success').reply('charge', 'success').expectFinished('COMPLETED');
    done.reply('charge', 'success', { attempt: 1 }).expectIgnored('SAGA_FINISHED');
    done.timeout('charge', { attempt: 1 }).expectIgnored('SAGA_FINISHED');
    done.backoffElapsed('charge', { attempt: 2, action: 'execute' }).expectIgnored('SAGA_FINISHED');
    done.cancel().expectRejected('SAGA_FINISHED');
    done.retry().expectRejected('SAGA_FINISHED');
  });

  it('ignores a timeout for an attempt that already replied (the cancel raced the timer)', () => {
    given(def).started().reply('reserve', 'success').timeout('reserve', { attempt: 1, action: 'execute' }).expectIgnored('NOT_AWAITING_REPLY');
  });

  it('ignores a backoff timer that fires after an operator already retried', () => {
    given(def)
      .started()
      .reply('reserve', 'retry')
      .retry('reserve')
      .expectCommand('reserve', 'execute', { attempt: 2 })
      .expectTimerCancelled('saga-1:backoff:reserve:execute:2')
      .backoffElapsed('reserve', { attempt: 2, action: 'execute' })
      .expectIgnored('NOT_IN_BACKOFF');
  });

  it('ignores a backoff timer for the wrong attempt', () => {
    given(def).started().reply('reserve', 'retry').backoffElapsed('reserve', { attempt: 5 }).expectIgnored('STALE_ATTEMPT');
  });

  it('ignores a second SagaStarted', () => {
    given(def).started().started().expectIgnored('ALREADY_STARTED');
  });

  it('returns the very same state object and no effects for an ignored event', () => {
    const s = given(def).started();
    const before = s.state;
    s.reply('reserve', 'success', { attempt: 9 });
    expect(s.last?.state).toBe(before);
    expect(s.state.seq).toBe(1);
  });
});

describe('misuse by the caller', () => {
  const normalized = normalizeDefinition(def);
  const created = createSagaState({ sagaId: 's', definition: normalized, definitionVersion: 1, input: {}, now: START_TIME });
  const ctx = { now: START_TIME, random: () => 0 };

  it('throws when an event other than SagaStarted comes before the saga started', () => {
    expect(() => decide(created, normalized, { type: 'CancelRequested', reason: 'x', by: 'y' }, ctx)).toThrow(SagaNotStartedError);
  });

  it('throws when the definition is not the one the saga runs on', () => {
    const other = normalizeDefinition({ name: 'other', steps: [step('reserve'), step('charge')] });
    expect(() => decide(created, other, { type: 'SagaStarted' }, ctx)).toThrow(DefinitionMismatchError);
    const fewer = normalizeDefinition({ name: 'order', steps: [step('reserve')] });
    expect(() => decide(created, fewer, { type: 'SagaStarted' }, ctx)).toThrow(DefinitionMismatchError);
  });

  it('throws when random() leaves [0, 1)', () => {
    const started = decide(created, normalized, { type: 'SagaStarted' }, ctx).state;
    const reply = { type: 'StepReplied', step: 'reserve', action: 'execute', attempt: 1, outcome: 'retry' } as const;
    expect(() => decide(started, normalized, reply, { now: START_TIME, random: () => 1 })).toThrow(/random/);
  });
});
