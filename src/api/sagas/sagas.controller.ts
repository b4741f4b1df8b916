// Starting and reading sagas. Thin: validation is the DTOs', rules are the services'.
import { Body, Get, Headers, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiV1Controller, CurrentPrincipal, RequireRole } from '../auth/api-route.decorators';
import type { Principal } from '../auth/principal';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { ListSagasQuery } from './list-sagas.query';
import { SagaIdParams } from './saga-params.dto';
import { SagaQueryService } from './saga-query.service';
import { SagaStartService } from './saga-start.service';
import { SagaDetailDto, SagaPageDto, StartedSagaDto } from './saga-view.dto';
import { sagaSummary } from './saga-views';
import { StartSagaBody } from './start-saga.dto';

@ApiV1Controller('sagas', 'sagas')
export class SagasController {
  constructor(
    private readonly starts: SagaStartService,
    private readonly queries: SagaQueryService,
  ) {}

  @Post()
  @RequireRole('operator')
  @ApiOperation({ summary: 'Start a saga (role: operator)', description: 'Durable before the answer. With the same Idempotency-Key (or, without one, the same definition and businessKey) a retried request returns the saga the first one started: 201 the first time, 200 after.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-200 printable ASCII characters; one saga per key, ever' })
  @ApiCreatedResponse({ type: StartedSagaDto, description: 'started; Location names the saga' })
  @ApiOkResponse({ type: StartedSagaDto, description: 'already started by an earlier request with this key' })
  @ProblemResponse(400, 'VALIDATION_FAILED, or INVALID_SAGA_INPUT (input does not match the inputSchema)')
  @ProblemResponse(404, 'DEFINITION_NOT_FOUND')
  @ProblemResponse(409, 'IDEMPOTENCY_KEY_CONFLICT: the key started a saga with a different request')
  async start(
    @Body() body: StartSagaBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StartedSagaDto> {
    const { saga, created } = await this.starts.start(body, idempotencyKey, principal, traceparent);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK).location(`/v1/sagas/${saga.sagaId}`);
    return { ...sagaSummary(saga), created };
  }

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'List sagas, newest first (role: viewer)', description: 'Filters combine with AND. Cursor pagination: pass nextCursor as cursor; pages stay stable while sagas are created.' })
  @ApiOkResponse({ type: SagaPageDto })
  @ProblemResponse(400, 'VALIDATION_FAILED')
  list(@Query() query: ListSagasQuery): Promise<SagaPageDto> {
    return this.queries.list(query);
  }

  @Get(':sagaId')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'One saga: status, current step, every step with its attempts, and the full history (role: viewer)' })
  @ApiOkResponse({ type: SagaDetailDto })
  @ProblemResponse(404, 'SAGA_NOT_FOUND')
  get(@Param() params: SagaIdParams): Promise<SagaDetailDto> {
    return this.queries.get(params.sagaId);
  }
}
