// The JSON the dashboard reads from the coordinator's REST API (docs/api.md), as the
// browser sees it: times are ISO-8601 strings. Fields marked "later" are announced in
// the API's plan and shown when an answer has them.

export type Role = 'viewer' | 'operator' | 'admin';

export interface Me {
  name: string;
  role: Role;
  source: 'environment' | 'database' | 'auth-disabled';
  actor: string;
}

export type SagaStatus = 'QUEUED' | 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED' | 'FAILED';
export const SAGA_STATUSES: readonly SagaStatus[] = ['QUEUED', 'RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED'];

export interface DefinitionRef {
  name: string;
  version: number;
}

export interface SagaSummary {
  sagaId: string;
  definition: DefinitionRef;
  status: SagaStatus;
  businessKey: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface SagaPage {
  items: SagaSummary[];
  nextCursor: string | null;
}

export interface StepError {
  action: 'execute' | 'compensate';
  attempt: number;
  code: string | null;
  message: string;
  at: string;
}

export interface Attention {
  reason: string;
  message: string;
  at: string;
}

export interface Override {
  as: 'succeeded' | 'compensated';
  by: string;
  reason: string;
  at: string;
}

export type AttemptStatus = 'SENT' | 'SUCCEEDED' | 'FAILED' | 'RETRY_REQUESTED' | 'TIMED_OUT';

export interface Attempt {
  action: 'execute' | 'compensate';
  attempt: number;
  commandId: string;
  status: AttemptStatus;
  sentAt: string;
  deadlineAt: string | null;
  repliedAt: string | null;
  durationMs: number | null;
  output?: unknown;
  error?: unknown;
}

export interface StepView {
  name: string;
  stage: number;
  phase: 'compensatable' | 'pivot' | 'retriable';
  participant: string;
  command: string;
  compensation: string | null;
  status: string;
  attempt: number;
  compensationAttempt: number;
  mayHaveApplied: boolean;
  input?: unknown;
  output?: unknown;
  lastError: StepError | null;
  needsAttention: Attention | null;
  override: Override | null;
  dueAt: string | null;
  startedAt: string | null;
  succeededAt: string | null;
  compensatedAt: string | null;
  attempts: Attempt[];
}

export interface HistoryEntry {
  id: string;
  eventType: string;
  event: Record<string, unknown>;
  statusBefore: string | null;
  statusAfter: string | null;
  ignored: string | null;
  actor: string | null;
  occurredAt: string;
}

export interface CompensationReason {
  cause: 'step-failed' | 'cancel-requested' | 'deadline-reached' | 'step-overridden' | string;
  step: string | null;
  by: string | null;
  message: string;
  at: string;
}

export interface Escalation {
  from: 'RUNNING' | 'COMPENSATING';
  steps: string[];
  at: string;
}

export interface SagaDetail extends SagaSummary {
  idempotencyKey: string | null;
  input: unknown;
  currentStep: string | null;
  currentSteps: string[];
  compensationReason: CompensationReason | null;
  escalation: Escalation | null;
  deadlineAt: string | null;
  startedAt: string | null;
  steps: StepView[];
  history: HistoryEntry[];
  /** Later: the OpenTelemetry trace of the saga. */
  traceId?: string | null;
}

export type OperationName = 'cancel' | 'retry' | 'resume';

export interface OperationResult {
  sagaId: string;
  operation: string;
  result: 'applied' | 'no-op';
  detail: string | null;
  saga: SagaSummary;
}

export interface BulkResultItem {
  sagaId: string;
  definition: DefinitionRef;
  statusBefore: string;
  result: 'applied' | 'would-apply' | 'no-op' | 'refused';
  code: string | null;
  detail: string | null;
  statusAfter: string;
}

export interface BulkOperationResult {
  operation: OperationName;
  dryRun: boolean;
  matched: number;
  counts: { applied: number; wouldApply: number; noOp: number; refused: number };
  results: BulkResultItem[];
  nextCursor: string | null;
}

export interface DefinitionVersionSummary {
  name: string;
  version: number;
  contentHash: string;
  description?: string | null;
  createdAt: string;
  /** Later: instances of this version. */
  counts?: { running: number; failed: number; finished: number };
  /** Later. */
  deprecated?: boolean;
}

export interface DefinitionDocument extends DefinitionVersionSummary {
  document: unknown;
  normalized: unknown;
}

export interface ItemList<T> {
  items: T[];
}

/** paused: its circuit breaker is open; unknown: Kafka has not been asked yet. */
export type ParticipantHealth = 'healthy' | 'slow' | 'not-consuming' | 'paused' | 'unknown';

export interface Breaker {
  state: 'closed' | 'open' | 'half-open';
  since: string;
  reason: string | null;
  by: string | null;
}

export interface Participant {
  name: string;
  commandTopic: string;
  commandsSent: number;
  repliesReceived: number;
  lastReplyAt: string | null;
  attemptsTimedOutRecently: number;
  consumerGroup: { groupId: string; members: number; lag: number | null } | null;
  status: ParticipantHealth;
  breaker: Breaker | null;
}

export interface DeadLetter {
  id: string;
  deadLetteredAt: string;
  reasonCode: string;
  reason: string;
  by: string | null;
  source: { topic: string; partition: number; offset: string };
  key: string | null;
  value: string | null;
}
