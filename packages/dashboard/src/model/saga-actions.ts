// Which operator actions the dashboard offers on a saga: those the key's role may take
// (docs/api.md: cancel, retry, resume need operator; override needs admin) and that the
// saga's state can accept. The server decides in the end; this only hides buttons that
// could not succeed. Pure.
import type { Role, SagaDetail, StepView } from '../api/types';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

export type SagaAction = 'cancel' | 'retry' | 'resume' | 'override';

export const ACTION_ROLE: Readonly<Record<SagaAction, Role>> = { cancel: 'operator', retry: 'operator', resume: 'operator', override: 'admin' };

const WAITING = new Set(['RETRY_WAIT', 'COMPENSATION_RETRY_WAIT', 'COMPENSATION_FAILED']);

/** Steps an operator can send again now: backing off, or waiting for an operator. */
export function retryableSteps(saga: SagaDetail): StepView[] {
  return saga.steps.filter((s) => WAITING.has(s.status) || s.needsAttention !== null);
}

/** Steps that may be declared done by hand, and as what. */
export function overridableSteps(saga: SagaDetail): { step: StepView; as: ('succeeded' | 'compensated')[] }[] {
  return saga.steps
    .map((step) => ({ step, as: overrideChoices(step) }))
    .filter((o) => o.as.length > 0);
}

function overrideChoices(s: StepView): ('succeeded' | 'compensated')[] {
  if (s.status === 'COMPENSATION_FAILED' || s.status === 'COMPENSATION_RETRY_WAIT') return ['compensated'];
  // A pivot whose outcome is unknown may be declared either way.
  if (s.needsAttention?.reason === 'PIVOT_OUTCOME_UNKNOWN') return ['succeeded', 'compensated'];
  if ((s.status === 'FAILED' && s.needsAttention !== null) || s.status === 'RETRY_WAIT') return ['succeeded'];
  return [];
}

export function availableActions(saga: SagaDetail, role: Role): SagaAction[] {
  const actions: SagaAction[] = [];
  const finished = saga.status === 'COMPLETED' || saga.status === 'COMPENSATED';
  if (finished) return actions;
  const pivotStarted = saga.steps.some((s) => s.phase === 'pivot' && s.status !== 'PENDING' && s.status !== 'SKIPPED');
  if ((saga.status === 'RUNNING' || (saga.status === 'FAILED' && saga.escalation?.from === 'RUNNING')) && !pivotStarted) actions.push('cancel');
  if (retryableSteps(saga).length > 0) actions.push('retry');
  if (saga.status === 'FAILED') actions.push('resume');
  if (overridableSteps(saga).length > 0) actions.push('override');
  return actions.filter((a) => roleAllows(role, ACTION_ROLE[a]));
}
