// What an operator action's outcome means for the caller. The core decides; this maps
// its verdict onto the API's promise that every action is idempotent:
//   applied   the saga changed.
//   ignored   the request is already satisfied (a cancel of a saga that is already
//             compensating): success, nothing changed ("no-op").
//   rejected  the state does not allow it: refused, 409 with the core's code.
// One exception: the core ignores a cancel of a finished saga (a timer must not fail
// on it), but a caller asked to undo a saga that COMPLETED must hear no; a saga that
// was compensated *because it was cancelled* has what a repeated cancel asks for.
import type { Decision } from '../../core/decision';
import type { OperatorEvent } from '../../core/saga-events';
import type { SagaState } from '../../core/saga-state';

export type OperationKind = 'cancel' | 'retry' | 'resume' | 'override';

export type ActionOutcome = { kind: 'applied' } | { kind: 'ignored'; code: string; reason: string } | { kind: 'rejected'; code: string; message: string };

export type OperationVerdict = { result: 'applied' } | { result: 'no-op'; detail: string } | { result: 'refused'; code: string; detail: string };

export function operationVerdict(operation: OperationKind, outcome: ActionOutcome, stateAfter: Pick<SagaState, 'status' | 'compensationReason'>): OperationVerdict {
  switch (outcome.kind) {
    case 'applied':
      return { result: 'applied' };
    case 'rejected':
      return { result: 'refused', code: outcome.code, detail: outcome.message };
    case 'ignored':
      if (operation === 'cancel' && outcome.code === 'SAGA_FINISHED') {
        const cancelled = stateAfter.status === 'COMPENSATED' && stateAfter.compensationReason?.cause === 'cancel-requested';
        return cancelled
          ? { result: 'no-op', detail: 'the saga was cancelled and is COMPENSATED' }
          : { result: 'refused', code: 'SAGA_FINISHED', detail: `saga is already ${stateAfter.status}; a finished saga cannot be cancelled` };
      }
      return { result: 'no-op', detail: outcome.reason };
  }
}

/** The outcome `decide` predicts, for dry runs. */
export function decisionOutcome(decision: Decision): ActionOutcome {
  if (decision.rejected) return { kind: 'rejected', code: decision.rejected.code, message: decision.rejected.message };
  if (decision.ignored) return { kind: 'ignored', code: decision.ignored.code, reason: decision.ignored.reason };
  return { kind: 'applied' };
}

export interface OperationRequest {
  operation: OperationKind;
  reason: string;
  step?: string;
  as?: 'succeeded' | 'compensated';
  output?: OperatorEventOutput;
}

type OperatorEventOutput = Extract<OperatorEvent, { type: 'StepOverridden'; as: 'succeeded' }>['output'];

/** The core event for a request; `by` is the API key's name. */
export function operatorEvent(req: OperationRequest, by: string): OperatorEvent {
  switch (req.operation) {
    case 'cancel':
      return { type: 'CancelRequested', reason: req.reason, by };
    case 'retry':
      return req.step === undefined ? { type: 'RetryRequested', by, reason: req.reason } : { type: 'RetryRequested', step: req.step, by, reason: req.reason };
    case 'resume':
      return { type: 'ResumeRequested', by, reason: req.reason };
    case 'override':
      if (req.as === 'succeeded') {
        return req.output === undefined
          ? { type: 'StepOverridden', step: req.step!, as: 'succeeded', by, reason: req.reason }
          : { type: 'StepOverridden', step: req.step!, as: 'succeeded', output: req.output, by, reason: req.reason };
      }
      return { type: 'StepOverridden', step: req.step!, as: 'compensated', by, reason: req.reason };
  }
}
