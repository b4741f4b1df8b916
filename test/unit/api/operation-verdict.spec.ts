// How the outcome of an operator action becomes the API's answer (pure).
import { operationVerdict, operatorEvent } from '../../../src/api/operations/operation-verdict';

describe('operationVerdict', () => {
  it('applied is applied; rejected is refused with the core code', () => {
    expect(operationVerdict({ kind: 'applied' })).toEqual({ result: 'applied' });
    expect(operationVerdict({ kind: 'rejected', code: 'SAGA_NOT_FAILED', reason: 'saga is RUNNING' })).toEqual({ result: 'refused', code: 'SAGA_NOT_FAILED', detail: 'saga is RUNNING' });
    // The core refuses to cancel a finished saga (the rule is in decide, see decide.cancel-deadline.spec.ts).
    expect(operationVerdict({ kind: 'rejected', code: 'SAGA_FINISHED', reason: 'saga is already COMPLETED' })).toMatchObject({ result: 'refused', code: 'SAGA_FINISHED' });
  });

  it('an ignored action is already satisfied: a no-op with the reason', () => {
    expect(operationVerdict({ kind: 'ignored', code: 'ALREADY_COMPENSATING', reason: 'saga is already compensating' })).toEqual({ result: 'no-op', detail: 'saga is already compensating' });
    expect(operationVerdict({ kind: 'ignored', code: 'ALREADY_CANCELLED', reason: 'the saga was cancelled and is COMPENSATED' })).toEqual({ result: 'no-op', detail: 'the saga was cancelled and is COMPENSATED' });
  });

  it('a quarantined saga refuses every action but a resume, with its own code', () => {
    expect(operationVerdict({ kind: 'quarantined', sagaId: 's', reason: 'saga is quarantined: corrupt' })).toEqual({ result: 'refused', code: 'SAGA_QUARANTINED', detail: 'saga is quarantined: corrupt' });
  });
});

describe('operatorEvent', () => {
  it('builds the core event with the key name as `by` and the reason', () => {
    expect(operatorEvent({ operation: 'cancel', reason: 'why' }, 'alice')).toEqual({ type: 'CancelRequested', reason: 'why', by: 'alice' });
    expect(operatorEvent({ operation: 'retry', reason: 'why' }, 'alice')).toEqual({ type: 'RetryRequested', by: 'alice', reason: 'why' });
    expect(operatorEvent({ operation: 'retry', step: 's', reason: 'why' }, 'alice')).toEqual({ type: 'RetryRequested', step: 's', by: 'alice', reason: 'why' });
    expect(operatorEvent({ operation: 'resume', reason: 'why' }, 'alice')).toEqual({ type: 'ResumeRequested', by: 'alice', reason: 'why' });
    expect(operatorEvent({ operation: 'override', step: 's', as: 'succeeded', output: { a: 1 }, reason: 'why' }, 'bob')).toEqual({ type: 'StepOverridden', step: 's', as: 'succeeded', output: { a: 1 }, by: 'bob', reason: 'why' });
    expect(operatorEvent({ operation: 'override', step: 's', as: 'compensated', reason: 'why' }, 'bob')).toEqual({ type: 'StepOverridden', step: 's', as: 'compensated', by: 'bob', reason: 'why' });
  });
});
