// How the outcome of an operator action becomes the API's answer (pure).
import { operationVerdict, operatorEvent } from '../../../src/api/operations/operation-verdict';

const running = { status: 'RUNNING' as const, compensationReason: null };
const compensated = (cause: 'cancel-requested' | 'step-failed') => ({ status: 'COMPENSATED' as const, compensationReason: { cause, step: null, by: null, message: '', at: 0 } });

describe('operationVerdict', () => {
  it('applied is applied; rejected is refused with the core code', () => {
    expect(operationVerdict('retry', { kind: 'applied' }, running)).toEqual({ result: 'applied' });
    expect(operationVerdict('resume', { kind: 'rejected', code: 'SAGA_NOT_FAILED', message: 'saga is RUNNING' }, running)).toEqual({ result: 'refused', code: 'SAGA_NOT_FAILED', detail: 'saga is RUNNING' });
  });

  it('an ignored action is already satisfied: a no-op with the reason', () => {
    expect(operationVerdict('cancel', { kind: 'ignored', code: 'ALREADY_COMPENSATING', reason: 'saga is already compensating' }, { status: 'COMPENSATING', compensationReason: null })).toEqual({
      result: 'no-op',
      detail: 'saga is already compensating',
    });
  });

  it('refuses to cancel a finished saga, unless it finished because it was cancelled', () => {
    const finished = { kind: 'ignored' as const, code: 'SAGA_FINISHED', reason: 'saga is already COMPLETED' };
    expect(operationVerdict('cancel', finished, { status: 'COMPLETED', compensationReason: null })).toEqual({ result: 'refused', code: 'SAGA_FINISHED', detail: 'saga is already COMPLETED; a finished saga cannot be cancelled' });
    expect(operationVerdict('cancel', finished, compensated('step-failed'))).toMatchObject({ result: 'refused', code: 'SAGA_FINISHED' });
    expect(operationVerdict('cancel', finished, compensated('cancel-requested'))).toEqual({ result: 'no-op', detail: 'the saga was cancelled and is COMPENSATED' });
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
