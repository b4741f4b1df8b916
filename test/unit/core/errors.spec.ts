import {
  CorruptStateError,
  createSagaState,
  decide,
  DefinitionMismatchError,
  IllegalTransitionError,
  InvalidArgumentError,
  InvalidDefinitionError,
  InvalidInputReferenceError,
  normalizeDefinition,
  SagaError,
  SagaNotStartedError,
  UnknownStepError,
  type SagaEvent,
  type SagaState,
} from '../../../src/core';
import { START_TIME, step } from './support/saga-scenario';

describe('core errors', () => {
  it('share a base class with a stable code, a retriable flag and structured fields', () => {
    const errors: [SagaError, string][] = [
      [new InvalidDefinitionError([{ path: 'name', message: 'is required' }]), 'INVALID_DEFINITION'],
      [new IllegalTransitionError('step', 'PENDING', 'SUCCEEDED', { sagaId: 's', step: 'a' }), 'ILLEGAL_TRANSITION'],
      [new UnknownStepError('a', 'order', { sagaId: 's' }), 'UNKNOWN_STEP'],
      [new DefinitionMismatchError('order v1', 'other', 'names differ'), 'DEFINITION_MISMATCH'],
      [new SagaNotStartedError('CancelRequested', { sagaId: 's' }), 'SAGA_NOT_STARTED'],
      [new InvalidInputReferenceError('$x', 'malformed'), 'INVALID_INPUT_REFERENCE'],
      [new InvalidArgumentError('random', 'out of range'), 'INVALID_ARGUMENT'],
      [new CorruptStateError('nope', { sagaId: 's' }), 'CORRUPT_STATE'],
    ];
    for (const [error, code] of errors) {
      expect(error).toBeInstanceOf(SagaError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.retriable).toBe(false);
      expect(error.name).toBe(error.constructor.name);
      expect(error.message.length).toBeGreaterThan(0);
    }
    expect(new UnknownStepError('a', 'order', { sagaId: 's' })).toMatchObject({ step: 'a', sagaId: 's', definition: 'order' });
  });

  it('summarise many definition problems in the message but keep all of them', () => {
    const problems = Array.from({ length: 8 }, (_, i) => ({ path: `steps[${i}].name`, message: 'is required' }));
    const error = new InvalidDefinitionError(problems, 'order');
    expect(error.problems).toHaveLength(8);
    expect(error.message).toContain('and 3 more');
  });
});

describe('decide on a corrupt or foreign input', () => {
  const def = normalizeDefinition({ name: 'order', steps: [step('a'), step('b')] });
  const ctx = { now: START_TIME, random: () => 0 };
  const started = decide(createSagaState({ sagaId: 's', definition: def, definitionVersion: 1, input: null, now: START_TIME }), def, { type: 'SagaStarted' }, ctx).state;

  it('reports a state that breaks an invariant instead of fixing it', () => {
    // Stage 0 can neither run nor escalate: its step is SKIPPED while the saga runs forward.
    const corrupt: SagaState = {
      ...started,
      steps: {
        a: { ...started.steps.a, status: 'SKIPPED' },
        b: { ...started.steps.b, status: 'RETRY_WAIT', attempt: 1, dueAt: START_TIME },
      },
    };
    expect(() => decide(corrupt, def, { type: 'BackoffElapsed', step: 'b', action: 'execute', attempt: 2 }, ctx)).toThrow(CorruptStateError);
  });

  it('throws IllegalTransitionError when a stored status does not allow the change', () => {
    const paused = { ...started, status: 'PAUSED' } as unknown as SagaState;
    expect(() => decide(paused, def, { type: 'CancelRequested', reason: 'r', by: 'u' }, ctx)).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_TRANSITION', entity: 'saga', from: 'PAUSED', to: 'COMPENSATING', sagaId: 's' }),
    );
  });

  it('throws on an event type it does not know', () => {
    expect(() => decide(started, def, { type: 'Bogus' } as unknown as SagaEvent, ctx)).toThrow(InvalidArgumentError);
  });
});
