// GET /v1/dead-letters: its query and the shape of one dead letter.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { IfPresent } from '../validation/if-present';
import { toInteger } from '../validation/query-transforms';

export class ListDeadLettersQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IfPresent()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'only dead letters with this reason code', example: 'MALFORMED_REPLY' })
  @IfPresent()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'reasonCode must be a reason code such as MALFORMED_REPLY' })
  reasonCode?: string;
}

export class DeadLetterSourceDto {
  @ApiProperty({ example: 'saga.replies' })
  topic!: string;
  @ApiProperty()
  partition!: number;
  @ApiProperty({ description: 'the offset, as a string (Kafka offsets are 64-bit)', example: '42' })
  offset!: string;
}

export class DeadLetterDto {
  @ApiProperty({ example: '17' })
  id!: string;
  @ApiProperty({ format: 'date-time' })
  deadLetteredAt!: string;
  @ApiProperty({ example: 'MALFORMED_REPLY' })
  reasonCode!: string;
  @ApiProperty({ example: 'reply message is not valid JSON' })
  reason!: string;
  @ApiProperty({ description: 'the component that dead-lettered it', example: 'coordinator' })
  by!: string;
  @ApiProperty({ type: DeadLetterSourceDto })
  source!: DeadLetterSourceDto;
  @ApiProperty({ type: String, nullable: true })
  key!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the first kilobytes of the message as text (null for a message without a value); the whole message is on the dead-letter topic' })
  value!: string | null;
  @ApiProperty({ description: 'size of the original value in bytes' })
  valueBytes!: number;
}

export class DeadLetterListDto {
  @ApiProperty({ type: [DeadLetterDto] })
  items!: DeadLetterDto[];
}
