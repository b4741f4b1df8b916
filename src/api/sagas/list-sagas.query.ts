// Query parameters of GET /v1/sagas (and the filter of bulk operations).
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IDENTIFIER_PATTERN } from '../../core/saga-definition';
import { SAGA_STATUSES } from '../../core/saga-status';
import { ISO_TIMESTAMP, toInteger, toStringList } from '../validation/query-transforms';

export const ISO_TIMESTAMP_MESSAGE = 'must be an ISO-8601 date or date-time, e.g. 2026-05-01T12:00:00Z';

export class SagaFilterFields {
  @ApiPropertyOptional({ description: 'definition name', example: 'order' })
  @IsOptional()
  @Matches(IDENTIFIER_PATTERN, { message: 'definition must be a definition name' })
  definition?: string;

  @ApiPropertyOptional({ enum: SAGA_STATUSES, isArray: true, description: 'one or more statuses (repeat the parameter or separate with commas)' })
  @IsOptional()
  @Transform(toStringList)
  @ArrayMaxSize(SAGA_STATUSES.length)
  @IsIn(SAGA_STATUSES, { each: true, message: `status must be one of ${SAGA_STATUSES.join(', ')}` })
  status?: string[];

  @ApiPropertyOptional({ example: 'order-4711' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  businessKey?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'created at or after this instant (inclusive)' })
  @IsOptional()
  @IsString()
  @Matches(ISO_TIMESTAMP, { message: `createdFrom ${ISO_TIMESTAMP_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `createdFrom ${ISO_TIMESTAMP_MESSAGE}` })
  createdFrom?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'created before this instant (exclusive)' })
  @IsOptional()
  @IsString()
  @Matches(ISO_TIMESTAMP, { message: `createdTo ${ISO_TIMESTAMP_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `createdTo ${ISO_TIMESTAMP_MESSAGE}` })
  createdTo?: string;
}

export class ListSagasQuery extends SagaFilterFields {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}
