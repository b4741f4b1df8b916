// What a request waiting for a saga gets (POST /v1/sagas?wait=…, GET /v1/sagas/{id}/result):
// the saga as it stands, whether it has settled, and its outcome.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { CompensationReasonDto, EscalationDto, QuarantineDto, SagaSummaryDto } from './saga-view.dto';

export const WAIT_PATTERN = /^(0|[1-9][0-9]{0,9})(ms|s|m)?$/;

export class WaitQuery {
  @ApiPropertyOptional({
    description: 'How long to wait for the saga to settle, e.g. 10s, 500ms, 2m (a bare number is seconds); at most API_MAX_WAIT_MS. Without it the answer is immediate.',
    example: '10s',
  })
  @IsOptional()
  @Matches(WAIT_PATTERN, { message: 'wait must be a duration such as 10s, 500ms or 2m' })
  wait?: string;
}

export class SagaResultDto extends SagaSummaryDto {
  @ApiProperty({ type: String, nullable: true })
  idempotencyKey!: string | null;

  @ApiProperty({ description: 'true when the saga is COMPLETED, COMPENSATED or FAILED (waits for an operator): it will not move by itself' })
  settled!: boolean;

  @ApiPropertyOptional({ description: "present only when the saga COMPLETED: the definition's output mapping evaluated on completion (null without one)" })
  output?: unknown;

  @ApiPropertyOptional({ type: CompensationReasonDto, description: 'present once the saga began to compensate: why' })
  reason?: CompensationReasonDto;

  @ApiPropertyOptional({ type: EscalationDto, description: 'present while the saga is FAILED: the steps waiting for an operator' })
  escalation?: EscalationDto;

  @ApiPropertyOptional({ type: QuarantineDto, description: 'present when the engine quarantined the saga (it needs an operator)' })
  quarantine?: QuarantineDto;
}

export class StartedSagaResultDto extends SagaResultDto {
  @ApiProperty({ description: 'false when the Idempotency-Key (or business key) had already started this saga' })
  created!: boolean;
}
