// Builds the API's views of a saga from what the database holds: the instance row,
// its core SagaState, its step attempts and its history (pure functions).
import { stepsOf } from '../../core/definition-normalization';
import type { NormalizedSagaDefinition } from '../../core/saga-definition';
import { currentSteps, type SagaState, type StepState } from '../../core/saga-state';
import { readSagaState } from '../../persistence/saga-state.reader';
import type { StoredHistoryEntry } from '../../persistence/saga-history.repository';
import type { SagaSummaryRow } from '../../persistence/saga-instance-query.repository';
import type { SagaInstanceRow } from '../../persistence/saga-instance.repository';
import type { StoredAttempt } from '../../persistence/step-attempt.repository';
import type { AttemptDto, HistoryEntryDto, QuarantineDto, SagaDetailDto, SagaSummaryDto, StepViewDto } from './saga-view.dto';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const isoDate = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function sagaSummary(row: SagaInstanceRow | SagaSummaryRow): SagaSummaryDto {
  return {
    sagaId: row.sagaId,
    definition: { name: row.definitionName, version: row.definitionVersion },
    status: row.status,
    businessKey: row.businessKey,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: isoDate(row.finishedAt),
  };
}

/** Why a participant's timers are held back now, or null (the engine's timer gate answers). */
export type HoldReason = (participant: string) => string | null;

export function sagaDetail(row: SagaInstanceRow, definition: NormalizedSagaDefinition, attempts: StoredAttempt[], history: StoredHistoryEntry[], holdReason: HoldReason = () => null): SagaDetailDto {
  let state: SagaState;
  try {
    state = readSagaState(row.state, row.sagaId);
  } catch (err) {
    // A quarantined saga with an unreadable state is still shown: what is known, and why it waits.
    if (!row.quarantine) throw err;
    return { ...sagaSummary(row), idempotencyKey: row.idempotencyKey, quarantine: row.quarantine as QuarantineDto, traceContext: row.traceContext, traceId: traceIdOf(row.traceContext), pausedBy: [], input: row.input, currentStep: null, currentSteps: [], compensationReason: null, output: null, concurrencyKey: null, escalation: null, deadlineAt: null, startedAt: null, steps: [], history: history.map(historyView) };
  }
  const steps = stepsOf(definition).map((step) => {
    const st = state.steps[step.name];
    return stepView(step.name, { stage: step.stage, phase: step.phase, participant: step.participant, command: step.command, compensation: step.compensation }, st, attempts);
  });
  const current = currentSteps(state, definition);
  const pausedBy = current.flatMap((name) => {
    const step = steps.find((s) => s.name === name)!;
    const reason = ['RUNNING', 'RETRY_WAIT', 'COMPENSATING', 'COMPENSATION_RETRY_WAIT'].includes(step.status) ? holdReason(step.participant) : null;
    return reason === null ? [] : [{ step: name, participant: step.participant, reason }];
  });
  return {
    ...sagaSummary(row),
    idempotencyKey: row.idempotencyKey,
    quarantine: (row.quarantine as QuarantineDto | null) ?? null,
    traceContext: row.traceContext,
    traceId: traceIdOf(row.traceContext),
    pausedBy,
    input: row.input,
    currentStep: current[0] ?? null,
    currentSteps: current,
    compensationReason: state.compensationReason ? { ...state.compensationReason, at: iso(state.compensationReason.at)! } : null,
    output: state.output,
    concurrencyKey: state.concurrencyKey,
    escalation: state.escalation ? { from: state.escalation.from, steps: [...state.escalation.steps], at: iso(state.escalation.at)! } : null,
    deadlineAt: iso(state.deadlineAt),
    startedAt: iso(state.startedAt),
    steps,
    history: history.map(historyView),
  };
}

function stepView(
  name: string,
  shape: Pick<StepViewDto, 'stage' | 'phase' | 'participant' | 'command' | 'compensation'>,
  st: StepState,
  attempts: StoredAttempt[],
): StepViewDto {
  return {
    name,
    ...shape,
    status: st.status,
    attempt: st.attempt,
    compensationAttempt: st.compensationAttempt,
    mayHaveApplied: st.mayHaveApplied,
    input: st.input,
    output: st.output,
    lastError: st.lastError ? { ...st.lastError, at: iso(st.lastError.at)! } : null,
    needsAttention: st.needsAttention ? { ...st.needsAttention, at: iso(st.needsAttention.at)! } : null,
    override: st.override ? { ...st.override, at: iso(st.override.at)! } : null,
    dueAt: iso(st.dueAt),
    startedAt: iso(st.startedAt),
    succeededAt: iso(st.succeededAt),
    compensatedAt: iso(st.compensatedAt),
    attempts: attempts.filter((a) => a.step === name).map(attemptView),
  };
}

function attemptView(a: StoredAttempt): AttemptDto {
  return {
    action: a.action,
    attempt: a.attempt,
    commandId: a.commandId,
    status: a.status,
    sentAt: a.sentAt.toISOString(),
    deadlineAt: isoDate(a.deadlineAt),
    repliedAt: isoDate(a.repliedAt),
    durationMs: a.repliedAt ? a.repliedAt.getTime() - a.sentAt.getTime() : null,
    output: a.output,
    error: a.error,
  };
}

function historyView(h: StoredHistoryEntry): HistoryEntryDto {
  return {
    id: h.id,
    eventType: h.eventType,
    event: h.event,
    statusBefore: h.statusBefore,
    statusAfter: h.statusAfter,
    verdict: h.verdict,
    code: h.verdictCode,
    reason: h.verdictReason,
    actor: h.actor,
    occurredAt: h.occurredAt.toISOString(),
  };
}

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`), or null. */
function traceIdOf(traceparent: string | null): string | null {
  const m = traceparent === null ? null : /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent);
  return m ? m[1] : null;
}
