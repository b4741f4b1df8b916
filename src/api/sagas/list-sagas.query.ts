// Query parameters of GET /v1/sagas (and the filter of bulk operations).
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsISO8601, IsString, Length, Matches, Max, Min, ValidateBy } from 'class-validator';
import { IDENTIFIER_PATTERN } from '../../core/saga-definition';
import { SAGA_STATUSES } from '../../core/saga-status';
import { IfPresent } from '../validation/if-present';
import { ISO_TIMESTAMP, toInteger, toStringList } from '../validation/query-transforms';

export const ISO_TIMESTAMP_MESSAGE = 'must be an ISO-8601 date or date-time, e.g. 2026-05-01T12:00:00Z';

const isStatus = (s: unknown): boolean => (SAGA_STATUSES as readonly unknown[]).includes(s);

/** A list of saga statuses, with one message whatever is wrong with it (a null, a number, an unknown status, too many). */
const IsSagaStatusList = (): PropertyDecorator =>
  ValidateBy({
    name: 'isSagaStatusList',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.length <= SAGA_STATUSES.length && value.every(isStatus),
      defaultMessage: (args) =>
        Array.isArray(args?.value) && args.value.every(isStatus) ? `status must list at most ${SAGA_STATUSES.length} statuses` : `status must be one of ${SAGA_STATUSES.join(', ')}`,
    },
  });

export class SagaFilterFields {
  @ApiPropertyOptional({ description: 'definition name', example: 'order' })
  @IfPresent()
  @Matches(IDENTIFIER_PATTERN, { message: 'definition must be a definition name' })
  definition?: string;

  @ApiPropertyOptional({ enum: SAGA_STATUSES, isArray: true, description: 'one or more statuses (repeat the parameter or separate with commas)' })
  @IfPresent()
  @Transform(toStringList)
  @IsSagaStatusList()
  status?: string[];

  @ApiPropertyOptional({ example: 'order-4711' })
  @IfPresent()
  @IsString()
  @Length(1, 200)
  businessKey?: string;

  @ApiPropertyOptional({ example: 'order-4711', description: 'the idempotency key the saga was started with (Idempotency-Key header, or the start message\'s idempotencyKey)' })
  @IfPresent()
  @IsString()
  @Length(1, 200)
  idempotencyKey?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'created at or after this instant (inclusive)' })
  @IfPresent()
  @IsString()
  @Matches(ISO_TIMESTAMP, { message: `createdFrom ${ISO_TIMESTAMP_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `createdFrom ${ISO_TIMESTAMP_MESSAGE}` })
  createdFrom?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'created before this instant (exclusive)' })
  @IfPresent()
  @IsString()
  @Matches(ISO_TIMESTAMP, { message: `createdTo ${ISO_TIMESTAMP_MESSAGE}` })
  @IsISO8601({ strict: true }, { message: `createdTo ${ISO_TIMESTAMP_MESSAGE}` })
  createdTo?: string;
}

export class ListSagasQuery extends SagaFilterFields {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IfPresent()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IfPresent()
  @IsString()
  cursor?: string;
}
