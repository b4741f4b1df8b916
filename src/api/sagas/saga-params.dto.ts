// Path parameters naming a saga and one of its steps.
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, Matches } from 'class-validator';
import { IDENTIFIER_PATTERN } from '../../core/saga-definition';

export class SagaIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'sagaId must be a UUID' })
  sagaId!: string;
}

export class SagaStepParams extends SagaIdParams {
  @ApiProperty({ example: 'charge' })
  @Matches(IDENTIFIER_PATTERN, { message: 'step must be a step name: a letter, then up to 99 letters, digits, ".", "_" or "-"' })
  step!: string;
}
