// POST /v1/bulk-operations: one operator action over every saga a filter matches, a page at a time.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsString, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { SAGA_STATUSES } from '../../core/saga-status';
import { SagaFilterFields } from '../sagas/list-sagas.query';
import { DefinitionRefDto } from '../sagas/saga-view.dto';
import { IfPresent } from '../validation/if-present';
import { RetrySagaBody } from './operation.dto';

export const BULK_OPERATIONS = ['cancel', 'retry', 'resume'] as const;

export class BulkFilter extends SagaFilterFields {
  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: 1000 })
  @IfPresent()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'each of sagaIds must be a UUID' })
  sagaIds?: string[];
}

export class BulkOperationBody extends RetrySagaBody {
  @ApiProperty({ enum: BULK_OPERATIONS })
  @IsIn(BULK_OPERATIONS)
  operation!: (typeof BULK_OPERATIONS)[number];

  @ApiProperty({ type: BulkFilter, description: 'which sagas; at least one criterion', example: { definition: 'order', status: ['FAILED'] } })
  @IsDefined()
  @ValidateNested()
  @Type(() => BulkFilter)
  filter!: BulkFilter;

  @ApiPropertyOptional({ default: false, description: 'report what would happen to each saga, change nothing' })
  @IfPresent()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'sagas per request; continue with nextCursor' })
  @IfPresent()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page of this bulk operation' })
  @IfPresent()
  @IsString()
  cursor?: string;
}

export const BULK_RESULTS = ['applied', 'would-apply', 'no-op', 'refused'] as const;

export class BulkSagaResultDto {
  @ApiProperty({ format: 'uuid' })
  sagaId!: string;

  @ApiProperty({ type: DefinitionRefDto })
  definition!: DefinitionRefDto;

  @ApiProperty({ enum: SAGA_STATUSES })
  statusBefore!: string;

  @ApiProperty({ enum: BULK_RESULTS, description: 'would-apply: a dry run predicts the action would change the saga' })
  result!: (typeof BULK_RESULTS)[number];

  @ApiProperty({ type: String, nullable: true, description: 'for refused: the code a single action would answer 409 with' })
  code!: string | null;

  @ApiProperty({ type: String, nullable: true })
  detail!: string | null;

  @ApiProperty({ enum: SAGA_STATUSES, description: 'after the action (predicted, in a dry run)' })
  statusAfter!: string;
}

export class BulkCountsDto {
  @ApiProperty() applied!: number;
  @ApiProperty() wouldApply!: number;
  @ApiProperty() noOp!: number;
  @ApiProperty() refused!: number;
}

export class BulkOperationResultDto {
  @ApiProperty({ enum: BULK_OPERATIONS })
  operation!: string;

  @ApiProperty()
  dryRun!: boolean;

  @ApiProperty({ description: 'sagas of this page the filter matched' })
  matched!: number;

  @ApiProperty({ type: BulkCountsDto })
  counts!: BulkCountsDto;

  @ApiProperty({ type: [BulkSagaResultDto] })
  results!: BulkSagaResultDto[];

  @ApiProperty({ type: String, nullable: true, description: 'more sagas match: repeat the request with this cursor' })
  nextCursor!: string | null;
}
