// Saga definitions: register (admin), read (viewer). The registry's rules (validation,
// one version per distinct document) are the SagaDefinitionService's.
import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { RegisteredDefinition, SagaDefinitionService, type VersionUsage } from '../../coordinator/saga-definition.service';
import { ApiV1Controller, RequireRole } from '../auth/api-route.decorators';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { DEFINITION_DOCUMENT_SCHEMA } from './definition-document.schema';
import {
  DefinitionDto,
  DefinitionListDto,
  DefinitionNameParams,
  DefinitionVersionParams,
  DefinitionVersionSummaryDto,
  DefinitionVersionUsageDto,
  DefinitionVersionUsageListDto,
  RegisteredDefinitionDto,
} from './definition.dto';

@ApiV1Controller('definitions', 'definitions')
export class DefinitionsController {
  constructor(private readonly definitions: SagaDefinitionService) {}

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Register a definition (role: admin)', description: 'An identical document returns its existing version (200); a changed one becomes the next version (201). Running sagas stay on the version they started with.' })
  @ApiBody({ schema: DEFINITION_DOCUMENT_SCHEMA })
  @ApiCreatedResponse({ type: RegisteredDefinitionDto, description: 'a new version; Location names it' })
  @ApiOkResponse({ type: RegisteredDefinitionDto, description: 'the document was already registered' })
  @ProblemResponse(400, 'INVALID_DEFINITION, listing every problem with its path in `errors`')
  async register(@Body() document: unknown, @Res({ passthrough: true }) res: Response): Promise<RegisteredDefinitionDto> {
    const def = await this.definitions.register(document);
    res.status(def.created ? HttpStatus.CREATED : HttpStatus.OK).location(`/v1/definitions/${def.name}/versions/${def.version}`);
    return { ...definitionView(def), created: def.created };
  }

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The latest version of every definition (role: viewer)' })
  @ApiOkResponse({ type: DefinitionListDto })
  async list(): Promise<DefinitionListDto> {
    return { items: (await this.definitions.listLatest()).map(versionSummary) };
  }

  @Get(':name')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The latest version of a definition (role: viewer)' })
  @ApiOkResponse({ type: DefinitionDto })
  @ProblemResponse(404, 'DEFINITION_NOT_FOUND')
  async latest(@Param() p: DefinitionNameParams): Promise<DefinitionDto> {
    return definitionView(await this.definitions.get(p.name));
  }

  @Get(':name/versions')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Every version of a definition, oldest first, with its sagas counted (role: viewer)',
    description: 'Per version: running (QUEUED, RUNNING, COMPENSATING), failed (waiting for an operator) and finished (COMPLETED, COMPENSATED) sagas, and whether it is deprecated. Deleted versions are not listed.',
  })
  @ApiOkResponse({ type: DefinitionVersionUsageListDto })
  @ProblemResponse(404, 'DEFINITION_NOT_FOUND')
  async versions(@Param() p: DefinitionNameParams): Promise<DefinitionVersionUsageListDto> {
    const items = await this.definitions.versionsWithUsage(p.name);
    return { items: items.map(usageView) };
  }

  @Post(':name/versions/:version/deprecate')
  @RequireRole('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Deprecate a version (role: admin)',
    description: 'Starts without a version go to the latest version that is not deprecated; starts naming this one are refused with 409 DEFINITION_VERSION_DEPRECATED. Sagas running on it continue. Repeating it changes nothing.',
  })
  @ApiOkResponse({ type: DefinitionVersionUsageDto })
  @ProblemResponse(404, 'DEFINITION_NOT_FOUND')
  async deprecate(@Param() p: DefinitionVersionParams): Promise<DefinitionVersionUsageDto> {
    await this.definitions.deprecate(p.name, p.version);
    return usageView((await this.definitions.versionsWithUsage(p.name)).find((x) => x.definition.version === p.version)!);
  }

  @Delete(':name/versions/:version')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a version once nothing runs on it (role: admin)',
    description: 'Refused with 409 DEFINITION_VERSION_IN_USE while a saga on it has not ended (queued, running, compensating or waiting for an operator). Sagas that ended on it keep their history and views; the version is gone from lists and starts.',
  })
  @ApiNoContentResponse({ description: 'deleted' })
  @ProblemResponse(404, 'DEFINITION_NOT_FOUND')
  @ProblemResponse(409, 'DEFINITION_VERSION_IN_USE')
  async remove(@Param() p: DefinitionVersionParams): Promise<void> {
    await this.definitions.delete(p.name, p.version);
  }

  @Get(':name/versions/:version')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One version of a definition (role: viewer)' })
  @ApiOkResponse({ type: DefinitionDto })
  @ProblemResponse(404, 'DEFINITION_NOT_FOUND')
  async version(@Param() p: DefinitionVersionParams): Promise<DefinitionDto> {
    return definitionView(await this.definitions.get(p.name, p.version));
  }
}

function versionSummary(d: RegisteredDefinition): DefinitionVersionSummaryDto {
  return { name: d.name, version: d.version, contentHash: d.contentHash, description: d.normalized.description, createdAt: d.createdAt.toISOString() };
}

function usageView(v: VersionUsage): DefinitionVersionUsageDto {
  return { ...versionSummary(v.definition), deprecatedAt: v.deprecatedAt?.toISOString() ?? null, sagas: v.sagas };
}

function definitionView(d: RegisteredDefinition): DefinitionDto {
  return { ...versionSummary(d), document: d.document, normalized: d.normalized };
}
