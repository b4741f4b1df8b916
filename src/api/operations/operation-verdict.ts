// What an operator action's verdict means for the caller. The core decides (including
// that a cancel of a COMPLETED saga is refused and a repeated cancel is a no-op); this
// only names the engine's verdicts in the API's words, every action being idempotent:
//   applied   the saga changed.
//   ignored   the request is already satisfied: success, nothing changed ("no-op").
//   rejected  the state does not allow it: refused, 409 with the core's code.
//   quarantined  the saga waits for an operator's resume: refused, 409 SAGA_QUARANTINED.
import type { Verdict } from '../../core/decision';
import type { OperatorEvent } from '../../core/saga-events';
import type { OperationRefusalCode } from '../../coordinator/coordinator-errors';
import type { EventVerdict } from '../../coordinator/saga-engine';

export type OperationKind = 'cancel' | 'retry' | 'resume' | 'override';

export type OperationVerdict = { result: 'applied' } | { result: 'no-op'; detail: string } | { result: 'refused'; code: OperationRefusalCode; detail: string };

export function operationVerdict(verdict: EventVerdict | Verdict): OperationVerdict {
  switch (verdict.kind) {
    case 'applied':
      return { result: 'applied' };
    case 'rejected':
      return { result: 'refused', code: verdict.code, detail: verdict.reason };
    case 'ignored':
      return { result: 'no-op', detail: verdict.reason };
    case 'quarantined':
      return { result: 'refused', code: 'SAGA_QUARANTINED', detail: verdict.reason };
    case 'duplicate':
    case 'unknown-saga':
      // Operator events carry no message id, and an unknown saga is a 404 before this point.
      throw new Error(`operator event reported as ${verdict.kind} for saga ${verdict.sagaId}`);
  }
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
