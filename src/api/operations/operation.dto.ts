// Bodies and the answer of the operator actions on one saga.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { JsonValue } from '@saga-coordinator/participant/protocol';
import { IDENTIFIER_PATTERN } from '../../core/saga-definition';
import { IfPresent } from '../validation/if-present';
import { SagaSummaryDto } from '../sagas/saga-view.dto';

const NOT_BLANK = /\S/;

/** Why: recorded in the saga's history with the key's name, so every action has a who and a why. */
export class ReasonBody {
  @ApiProperty({ description: 'why; recorded in the saga history with the API key name', example: 'customer called to cancel the order', minLength: 1, maxLength: 1000 })
  @IsString()
  @Length(1, 1000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason!: string;
}

export class CancelSagaBody extends ReasonBody {}

export class ResumeSagaBody extends ReasonBody {}

export class RetrySagaBody extends ReasonBody {
  @ApiPropertyOptional({ description: 'the step to retry; without it, every step waiting for a backoff or for an operator', example: 'charge' })
  @IfPresent()
  @Matches(IDENTIFIER_PATTERN, { message: 'step must be a step name' })
  step?: string;
}

export class OverrideStepBody extends ReasonBody {
  @ApiProperty({ enum: ['succeeded', 'compensated'], description: 'what the operator established by hand' })
  @IsIn(['succeeded', 'compensated'])
  as!: 'succeeded' | 'compensated';

  @ApiPropertyOptional({ description: "the step's output, as later steps will see it (only with as=succeeded); null when omitted" })
  @IsOptional()
  output?: JsonValue;
}

export const OPERATION_RESULTS = ['applied', 'no-op'] as const;

export class OperationResultDto {
  @ApiProperty({ format: 'uuid' })
  sagaId!: string;

  @ApiProperty({ enum: ['cancel', 'retry', 'resume', 'override'] })
  operation!: string;

  @ApiProperty({ enum: OPERATION_RESULTS, description: 'applied: the saga changed; no-op: it already was as asked (e.g. a repeated cancel), nothing changed' })
  result!: (typeof OPERATION_RESULTS)[number];

  @ApiProperty({ type: String, nullable: true, description: 'for a no-op, why nothing changed' })
  detail!: string | null;

  @ApiProperty({ type: SagaSummaryDto, description: 'the saga after the action' })
  saga!: SagaSummaryDto;
}
