// Reads a stored saga state (saga_instances.state) into the core's SagaState: checks the
// shape the core relies on and upgrades rows written in an earlier format, so a change of
// SagaState never breaks sagas that are running. Never cast a stored state; read it here.
//
// Formats: 1 (first release); 2 adds budgetStartedAt / compensationBudgetStartedAt; 3 adds
// output (null: sagas that completed before outputs existed had none) and concurrencyKey
// (null: no saga had one).
import { CorruptStateError } from '../core/errors';
import { isPlainObject } from '@saga-coordinator/participant/protocol';
import { SAGA_STATE_FORMAT, type SagaState, type StepState } from '../core/saga-state';
import { SAGA_STATUSES, STEP_STATUSES } from '../core/saga-status';

type Upgrade = (state: Record<string, unknown>) => Record<string, unknown>;

/** UPGRADES[n] turns format n into format n + 1. */
const UPGRADES: Record<number, Upgrade> = {
  1: (state) => ({
    ...state,
    format: 2,
    steps: Object.fromEntries(
      Object.entries(state.steps as Record<string, Record<string, unknown>>).map(([name, st]) => [
        name,
        {
          ...st,
          // A budget in progress started no later than the step did; windows of format-1 definitions are 0 anyway.
          budgetStartedAt: (st.attemptsSinceReset as number) > 0 ? (st.startedAt ?? null) : null,
          compensationBudgetStartedAt: (st.compensationAttemptsSinceReset as number) > 0 ? (state.updatedAt ?? null) : null,
        },
      ]),
    ),
  }),
  2: (state) => ({ ...state, format: 3, output: null, concurrencyKey: null }),
};

export function readSagaState(stored: unknown, sagaId: string): SagaState {
  if (!isPlainObject(stored)) throw corrupt(sagaId, 'is not a JSON object');
  let state: Record<string, unknown> = stored;
  const format = state.format;
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1 || format > SAGA_STATE_FORMAT) {
    throw corrupt(sagaId, `has unknown format ${JSON.stringify(format)} (this release reads 1 to ${SAGA_STATE_FORMAT})`);
  }
  if (!isPlainObject(state.steps)) throw corrupt(sagaId, 'has no steps object');
  for (let f = format; f < SAGA_STATE_FORMAT; f = state.format as number) state = UPGRADES[f](state);
  checkShape(state, sagaId);
  return state as unknown as SagaState;
}

function checkShape(state: Record<string, unknown>, sagaId: string): void {
  if (state.sagaId !== sagaId) throw corrupt(sagaId, `belongs to saga ${JSON.stringify(state.sagaId)}`);
  if (!(SAGA_STATUSES as readonly unknown[]).includes(state.status)) throw corrupt(sagaId, `has unknown status ${JSON.stringify(state.status)}`);
  if (!isPlainObject(state.definition) || typeof state.definition.name !== 'string' || typeof state.definition.version !== 'number') {
    throw corrupt(sagaId, 'has no definition reference');
  }
  if (!Array.isArray(state.completionOrder)) throw corrupt(sagaId, 'has no completionOrder');
  if (typeof state.seq !== 'number') throw corrupt(sagaId, 'has no seq');
  for (const [name, st] of Object.entries(state.steps as Record<string, unknown>)) {
    if (!isPlainObject(st)) throw corrupt(sagaId, `step '${name}' is not an object`);
    const step = st as unknown as StepState;
    if (!(STEP_STATUSES as readonly unknown[]).includes(step.status)) throw corrupt(sagaId, `step '${name}' has unknown status ${JSON.stringify(step.status)}`);
    for (const counter of ['attempt', 'attemptsSinceReset', 'compensationAttempt', 'compensationAttemptsSinceReset'] as const) {
      if (!Number.isSafeInteger(step[counter]) || step[counter] < 0) throw corrupt(sagaId, `step '${name}' has an invalid ${counter}`);
    }
  }
}

function corrupt(sagaId: string, what: string): CorruptStateError {
  return new CorruptStateError(`the stored state of saga ${sagaId} ${what}`, { sagaId });
}
