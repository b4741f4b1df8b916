// Managing the API keys stored in the database (role: admin). Keys from API_KEYS are
// listed but managed in the environment.
import { Body, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiKeyService, ApiKeyView } from '../auth/api-key.service';
import { ApiV1Controller, CurrentPrincipal, RequireRole } from '../auth/api-route.decorators';
import type { Principal } from '../auth/principal';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { ApiKeyDto, ApiKeyListDto, ApiKeyNameParams, CreateApiKeyBody, CreatedApiKeyDto } from './api-key.dto';

@ApiV1Controller('api-keys', 'api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Create an API key (role: admin)', description: 'The answer holds the key; it is never shown again.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ProblemResponse(409, 'API_KEY_NAME_TAKEN')
  async create(@Body() body: CreateApiKeyBody, @CurrentPrincipal() who: Principal, @Res({ passthrough: true }) res: Response): Promise<CreatedApiKeyDto> {
    const { key, view } = await this.keys.create(body.name, body.role, who.name);
    res.location(`/v1/api-keys/${view.name}`);
    return { ...keyView(view), key };
  }

  @Get()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Every API key, with its role and source; never the keys (role: admin)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(): Promise<ApiKeyListDto> {
    return { items: (await this.keys.list()).map(keyView) };
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Revoke a stored API key, at once on every replica (role: admin)', description: 'Revoking a revoked key changes nothing.' })
  @ApiNoContentResponse({ description: 'revoked' })
  @ProblemResponse(404, 'API_KEY_NOT_FOUND')
  @ProblemResponse(409, 'API_KEY_FROM_ENVIRONMENT: remove it from API_KEYS instead')
  async revoke(@Param() p: ApiKeyNameParams, @CurrentPrincipal() who: Principal): Promise<void> {
    await this.keys.revoke(p.name, who.name);
  }
}

function keyView(k: ApiKeyView): ApiKeyDto {
  return {
    name: k.name,
    role: k.role,
    source: k.source,
    createdBy: k.createdBy,
    createdAt: k.createdAt ? k.createdAt.toISOString() : null,
    revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
    revokedBy: k.revokedBy,
  };
}
