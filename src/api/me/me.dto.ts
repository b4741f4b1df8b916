// The caller as the API sees it: which key, which role. Lets a client (the dashboard)
// offer only the actions the key may take, instead of learning it from 403s.
import { ApiProperty } from '@nestjs/swagger';
import { API_ROLES } from '../../config/api-key-list';

export class MeDto {
  @ApiProperty({ example: 'ops-alice', description: "the API key's name ('anonymous' when API_AUTH=disabled)" })
  name!: string;

  @ApiProperty({ enum: API_ROLES })
  role!: string;

  @ApiProperty({ enum: ['environment', 'database', 'auth-disabled'], description: 'where the key is configured' })
  source!: string;

  @ApiProperty({ example: 'api-key:ops-alice', description: 'what saga history records as the actor of this caller' })
  actor!: string;
}
