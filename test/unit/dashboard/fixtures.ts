// A saga detail as GET /v1/sagas/{id} answers it, for the dashboard's pure view models.
import type { Attempt, SagaDetail, StepView } from '../../../packages/dashboard/src/api/types';

export const T0 = Date.parse('2026-05-01T12:00:00.000Z');
export const at = (ms: number) => new Date(T0 + ms).toISOString();

export function attempt(over: Partial<Attempt> & Pick<Attempt, 'action' | 'attempt' | 'status' | 'sentAt'>): Attempt {
  return { commandId: `saga:${over.action}:${over.attempt}`, deadlineAt: null, repliedAt: null, durationMs: null, output: null, error: null, ...over };
}

export function step(name: string, over: Partial<StepView> = {}): StepView {
  return {
    name,
    stage: 0,
    phase: 'compensatable',
    participant: 'p',
    command: `${name}.do`,
    compensation: `${name}.undo`,
    status: 'PENDING',
    attempt: 0,
    compensationAttempt: 0,
    mayHaveApplied: false,
    input: null,
    output: null,
    lastError: null,
    needsAttention: null,
    override: null,
    dueAt: null,
    startedAt: null,
    succeededAt: null,
    compensatedAt: null,
    attempts: [],
    ...over,
  };
}

export function saga(over: Partial<SagaDetail> = {}): SagaDetail {
  return {
    sagaId: '2b8f6c1e-5d0a-4f7e-9a51-0c9a3f4e7d21',
    definition: { name: 'order', version: 1 },
    status: 'RUNNING',
    businessKey: 'order-1',
    createdAt: at(0),
    updatedAt: at(0),
    finishedAt: null,
    idempotencyKey: null,
    input: {},
    currentStep: null,
    currentSteps: [],
    compensationReason: null,
    escalation: null,
    deadlineAt: null,
    startedAt: at(0),
    steps: [],
    history: [],
    ...over,
  };
}
