// The shape of every error response, for the OpenAPI document.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'reason' })
  field!: string;

  @ApiProperty({ example: 'reason should not be empty' })
  message!: string;
}

export class ProblemDocumentDto {
  @ApiProperty({ example: 'urn:saga-coordinator:problem:validation-failed' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'the request is invalid: reason: reason should not be empty' })
  detail!: string;

  @ApiPropertyOptional({ example: '/v1/sagas/2b8f6c1e-5d0a-4f7e-9a51-0c9a3f4e7d21/cancel' })
  instance?: string;

  @ApiProperty({ description: 'Stable error code; see docs/api.md for the list.', example: 'VALIDATION_FAILED' })
  code!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Every problem with the request, one per field and rule.' })
  errors?: FieldErrorDto[];
}
