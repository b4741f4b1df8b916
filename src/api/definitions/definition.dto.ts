// What the API shows of saga definitions, and the path parameters naming one.
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { IDENTIFIER_PATTERN } from '../../core/saga-definition';
import { toInteger } from '../validation/query-transforms';

export class DefinitionNameParams {
  @ApiProperty({ example: 'order' })
  @Matches(IDENTIFIER_PATTERN, { message: 'name must be a definition name: a letter, then up to 99 letters, digits, ".", "_" or "-"' })
  name!: string;
}

export class DefinitionVersionParams extends DefinitionNameParams {
  @ApiProperty({ type: 'integer', example: 1, minimum: 1 })
  @Transform(toInteger)
  @IsInt({ message: 'version must be a positive integer' })
  @Min(1)
  @Max(2_147_483_647)
  version!: number;
}

export class DefinitionVersionSummaryDto {
  @ApiProperty({ example: 'order' })
  name!: string;

  @ApiProperty({ example: 2 })
  version!: number;

  @ApiProperty({ description: 'SHA-256 of the normalized document: equal documents, equal hash' })
  contentHash!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class DefinitionDto extends DefinitionVersionSummaryDto {
  @ApiProperty({ description: 'the document as registered' })
  document!: unknown;

  @ApiProperty({ description: 'the compiled form the engine runs: every default applied, stages, step phases' })
  normalized!: unknown;
}

export class RegisteredDefinitionDto extends DefinitionDto {
  @ApiProperty({ description: 'false when an identical document was already registered (this is its version)' })
  created!: boolean;
}

export class DefinitionListDto {
  @ApiProperty({ type: [DefinitionVersionSummaryDto] })
  items!: DefinitionVersionSummaryDto[];
}

export class VersionSagaCountsDto {
  @ApiProperty({ description: 'sagas on this version that have not ended: QUEUED, RUNNING or COMPENSATING' })
  running!: number;

  @ApiProperty({ description: 'sagas on this version waiting for an operator (FAILED)' })
  failed!: number;

  @ApiProperty({ description: 'sagas on this version that ended: COMPLETED or COMPENSATED' })
  finished!: number;
}

export class DefinitionVersionUsageDto extends DefinitionVersionSummaryDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when the version was deprecated: it starts no saga that does not name it, and refuses one that does' })
  deprecatedAt!: string | null;

  @ApiProperty({ type: VersionSagaCountsDto })
  sagas!: VersionSagaCountsDto;
}

export class DefinitionVersionUsageListDto {
  @ApiProperty({ type: [DefinitionVersionUsageDto] })
  items!: DefinitionVersionUsageDto[];
}
