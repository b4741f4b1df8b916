// GET /v1/me: the principal of the presented key. Any valid key may ask (role: viewer).
import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiV1Controller, CurrentPrincipal, RequireRole } from '../auth/api-route.decorators';
import type { Principal } from '../auth/principal';
import { MeDto } from './me.dto';

@ApiV1Controller('me', 'api-keys')
export class MeController {
  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: "The calling API key's name and role (role: viewer)", description: 'For clients that show only the actions the key may take.' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentPrincipal() principal: Principal): MeDto {
    return { name: principal.name, role: principal.role, source: principal.source, actor: principal.actor };
  }
}
