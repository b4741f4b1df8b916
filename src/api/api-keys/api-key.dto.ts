// API keys as the admin endpoints show them: never the key, except once at creation.
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { API_KEY_NAME_PATTERN, API_ROLES, type ApiRole } from '../../config/api-key-list';

const NAME_MESSAGE = 'name must be 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit';

export class CreateApiKeyBody {
  @ApiProperty({ example: 'ops-alice', description: 'recorded as the actor of everything done with the key; never reused' })
  @Matches(API_KEY_NAME_PATTERN, { message: NAME_MESSAGE })
  name!: string;

  @ApiProperty({ enum: API_ROLES, description: 'viewer: read; operator: also start, cancel, retry, resume; admin: also definitions, overrides and keys' })
  @IsIn(API_ROLES)
  role!: ApiRole;
}

export class ApiKeyNameParams {
  @ApiProperty({ example: 'ops-alice' })
  @Matches(API_KEY_NAME_PATTERN, { message: NAME_MESSAGE })
  name!: string;
}

export class ApiKeyDto {
  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: API_ROLES })
  role!: string;

  @ApiProperty({ enum: ['environment', 'database'], description: 'environment: from API_KEYS (managed there); database: created through this API' })
  source!: string;

  @ApiProperty({ type: String, nullable: true })
  createdBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  createdAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  revokedBy!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'the key: shown this once, only its hash is stored', example: 'sck_3q2X…' })
  key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] })
  items!: ApiKeyDto[];
}
