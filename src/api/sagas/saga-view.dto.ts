// What the API shows of a saga instance: a summary for lists, and the full detail —
// every step with its attempts, timings, outputs and errors, and the history.
// Times are ISO-8601 strings; absent values are null, never omitted.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STEP_PHASES } from '../../core/saga-definition';
import { ATTEMPT_STATUSES, SAGA_STATUSES, STEP_STATUSES } from '../../core/saga-status';
import { ATTENTION_REASONS, COMPENSATION_CAUSES } from '../../core/saga-state';

export class DefinitionRefDto {
  @ApiProperty({ example: 'order' })
  name!: string;

  @ApiProperty({ example: 1 })
  version!: number;
}

export class SagaSummaryDto {
  @ApiProperty({ format: 'uuid' })
  sagaId!: string;

  @ApiProperty({ type: DefinitionRefDto })
  definition!: DefinitionRefDto;

  @ApiProperty({ enum: SAGA_STATUSES })
  status!: string;

  @ApiProperty({ type: String, nullable: true, example: 'order-4711' })
  businessKey!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;
}

export class StartedSagaDto extends SagaSummaryDto {
  @ApiProperty({ description: 'false when the Idempotency-Key (or business key) had already started this saga' })
  created!: boolean;
}

export class SagaPageDto {
  @ApiProperty({ type: [SagaSummaryDto] })
  items!: SagaSummaryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

export class StepErrorDto {
  @ApiProperty({ enum: ['execute', 'compensate'] })
  action!: string;

  @ApiProperty()
  attempt!: number;

  @ApiProperty({ type: String, nullable: true, description: 'ATTEMPT_TIMED_OUT for a timeout, else the participant\'s code' })
  code!: string | null;

  @ApiProperty()
  message!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class AttentionDto {
  @ApiProperty({ enum: ATTENTION_REASONS })
  reason!: string;

  @ApiProperty()
  message!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class OverrideDto {
  @ApiProperty({ enum: ['succeeded', 'compensated'] })
  as!: string;

  @ApiProperty({ description: 'name of the API key that overrode the step' })
  by!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class AttemptDto {
  @ApiProperty({ enum: ['execute', 'compensate'] })
  action!: string;

  @ApiProperty()
  attempt!: number;

  @ApiProperty({ description: 'the command\'s messageId' })
  commandId!: string;

  @ApiProperty({ enum: ATTEMPT_STATUSES })
  status!: string;

  @ApiProperty({ format: 'date-time' })
  sentAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deadlineAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  repliedAt!: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'from sending the command to its reply or timeout' })
  durationMs!: number | null;

  @ApiPropertyOptional({ description: 'the reply\'s output (execute)', nullable: true })
  output!: unknown;

  @ApiPropertyOptional({ description: 'the reply\'s error', nullable: true })
  error!: unknown;
}

export class StepViewDto {
  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'index of the stage (a step or a parallel group) holding the step' })
  stage!: number;

  @ApiProperty({ enum: STEP_PHASES })
  phase!: string;

  @ApiProperty()
  participant!: string;

  @ApiProperty()
  command!: string;

  @ApiProperty({ type: String, nullable: true })
  compensation!: string | null;

  @ApiProperty({ enum: STEP_STATUSES })
  status!: string;

  @ApiProperty({ description: 'number of the last execute command sent (0: never sent)' })
  attempt!: number;

  @ApiProperty({ description: 'number of the last compensate command sent (0: never sent)' })
  compensationAttempt!: number;

  @ApiProperty({ description: 'an attempt timed out, so the participant may have applied the step' })
  mayHaveApplied!: boolean;

  @ApiPropertyOptional({ nullable: true, description: 'the resolved step input (null until the step starts)' })
  input!: unknown;

  @ApiPropertyOptional({ nullable: true })
  output!: unknown;

  @ApiProperty({ type: StepErrorDto, nullable: true })
  lastError!: StepErrorDto | null;

  @ApiProperty({ type: AttentionDto, nullable: true, description: 'set while the step waits for an operator' })
  needsAttention!: AttentionDto | null;

  @ApiProperty({ type: OverrideDto, nullable: true })
  override!: OverrideDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'end of the current wait: the attempt deadline or the backoff' })
  dueAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  succeededAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  compensatedAt!: string | null;

  @ApiProperty({ type: [AttemptDto], description: 'every command sent for this step, oldest first' })
  attempts!: AttemptDto[];
}

export class HistoryEntryDto {
  @ApiProperty({ description: 'increasing; orders the entries' })
  id!: string;

  @ApiProperty({ example: 'CancelRequested' })
  eventType!: string;

  @ApiProperty({ description: 'the event as applied, e.g. { type, reason, by }' })
  event!: unknown;

  @ApiProperty({ type: String, nullable: true })
  statusBefore!: string | null;

  @ApiProperty({ type: String, nullable: true })
  statusAfter!: string | null;

  @ApiProperty({
    enum: ['applied', 'ignored', 'rejected', 'quarantined'],
    description: 'applied: the event changed the saga; ignored: stale, duplicate or already so; rejected: the state does not allow it; quarantined: the saga waits for an operator',
  })
  verdict!: string;

  @ApiProperty({ type: String, nullable: true, description: "the core's code for a verdict other than applied (e.g. STALE_ATTEMPT, SAGA_FINISHED), else null" })
  code!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'why the event changed nothing, in words, else null' })
  reason!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "who caused it: 'api-key:<name>', 'participant:<step>', 'timer', 'start-topic'" })
  actor!: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;
}

export class CompensationReasonDto {
  @ApiProperty({ enum: COMPENSATION_CAUSES })
  cause!: string;

  @ApiProperty({ type: String, nullable: true })
  step!: string | null;

  @ApiProperty({ type: String, nullable: true })
  by!: string | null;

  @ApiProperty()
  message!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class EscalationDto {
  @ApiProperty({ enum: ['RUNNING', 'COMPENSATING'], description: 'the status the saga returns to when an operator acts' })
  from!: string;

  @ApiProperty({ type: [String], description: 'the steps waiting for an operator' })
  steps!: string[];

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class QuarantineDto {
  @ApiProperty({ example: 'CORRUPT_STATE' })
  code!: string;
  @ApiProperty({ description: 'why the engine could not decide an event for this saga' })
  message!: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ description: 'the event it could not decide' })
  eventType!: string;
}

export class PauseDto {
  @ApiProperty({ example: 'charge' })
  step!: string;
  @ApiProperty({ example: 'payments' })
  participant!: string;
  @ApiProperty({ description: 'why the step waits (the participant is not consuming, or its circuit breaker is open); its attempts are not burnt meanwhile' })
  reason!: string;
}

export class SagaDetailDto extends SagaSummaryDto {
  @ApiProperty({ type: String, nullable: true })
  idempotencyKey!: string | null;

  @ApiProperty({
    type: QuarantineDto,
    nullable: true,
    description: 'set when the engine could not decide an event for this saga (a corrupt row, a bug): it waits for an operator (resume releases it); everything else keeps flowing',
  })
  quarantine!: QuarantineDto | null;

  @ApiProperty({ type: String, nullable: true, description: "the W3C traceparent of the saga's trace, when tracing is on" })
  traceContext!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "the saga's trace id (32 hex digits), to look the trace up in a tracing backend" })
  traceId!: string | null;

  @ApiProperty({ type: [PauseDto], description: 'steps the saga is waiting on whose participant is held back right now; empty when nothing is paused' })
  pausedBy!: PauseDto[];

  @ApiProperty({ description: 'the saga input' })
  input!: unknown;

  @ApiProperty({ type: String, nullable: true, description: 'the first of currentSteps, or null' })
  currentStep!: string | null;

  @ApiProperty({ type: [String], description: 'steps in flight, backing off, or waiting for an operator (several in a parallel group)' })
  currentSteps!: string[];

  @ApiProperty({ type: CompensationReasonDto, nullable: true })
  compensationReason!: CompensationReasonDto | null;

  @ApiProperty({ type: EscalationDto, nullable: true, description: 'set while the saga is FAILED (needs an operator)' })
  escalation!: EscalationDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deadlineAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt!: string | null;

  @ApiProperty({ type: [StepViewDto], description: 'in definition order' })
  steps!: StepViewDto[];

  @ApiProperty({ type: [HistoryEntryDto], description: 'every event decided for the saga, applied or not, oldest first' })
  history!: HistoryEntryDto[];
}
