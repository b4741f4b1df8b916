// The body of POST /v1/sagas.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import type { JsonValue } from '@saga-coordinator/participant/protocol';
import { IDENTIFIER_PATTERN } from '../../core/saga-definition';
import { IfPresent } from '../validation/if-present';

export class StartSagaBody {
  @ApiProperty({ description: 'name of a registered definition', example: 'order' })
  @IsString()
  @Matches(IDENTIFIER_PATTERN, { message: 'definition must be a definition name: a letter, then up to 99 letters, digits, ".", "_" or "-"' })
  definition!: string;

  @ApiPropertyOptional({ type: 'integer', description: 'definition version; the latest when omitted', minimum: 1, maximum: 2147483647, example: 1 })
  @IfPresent()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version?: number;

  @ApiProperty({ description: "the saga input (any JSON); checked against the definition's inputSchema when it has one", example: { orderId: '4711', amount: 120 } })
  @IsDefined({ message: 'input is required (any JSON value, e.g. {})' })
  input!: JsonValue;

  @ApiPropertyOptional({
    description: 'a key of your domain (e.g. an order id), searchable with GET /v1/sagas?businessKey=. Without an Idempotency-Key header it also makes the start idempotent: one saga per definition and business key.',
    example: 'order-4711',
  })
  @IfPresent()
  @IsString()
  @Length(1, 200)
  businessKey?: string;

  @ApiPropertyOptional({
    description: "one saga at a time per key: a $.input… reference (e.g. \"$.input.accountId\") or the key itself; overrides the definition's concurrencyKey. Sagas with the same key run in acceptance order, the others wait QUEUED.",
    example: '$.input.accountId',
  })
  @IfPresent()
  @IsString()
  @Length(1, 500)
  concurrencyKey?: string;
}
