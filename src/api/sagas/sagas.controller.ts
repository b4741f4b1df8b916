// Starting and reading sagas. Thin: validation is the DTOs', rules are the services'.
import { Body, Get, Headers, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiV1Controller, CurrentPrincipal, RequireRole } from '../auth/api-route.decorators';
import type { Principal } from '../auth/principal';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { ListSagasQuery } from './list-sagas.query';
import { SagaIdParams } from './saga-params.dto';
import { SagaQueryService } from './saga-query.service';
import { SagaResultDto, StartedSagaResultDto, WaitQuery } from './saga-result.dto';
import { SagaResultService } from './saga-result.service';
import { SagaStartService } from './saga-start.service';
import { SagaDetailDto, SagaPageDto, StartedSagaDto } from './saga-view.dto';
import { sagaSummary } from './saga-views';
import { StartSagaBody } from './start-saga.dto';

@ApiV1Controller('sagas', 'sagas')
@ApiExtraModels(StartedSagaResultDto)
export class SagasController {
  constructor(
    private readonly starts: SagaStartService,
    private readonly queries: SagaQueryService,
    private readonly results: SagaResultService,
  ) {}

  @Post()
  @RequireRole('operator')
  @ApiOperation({ summary: 'Start a saga (role: operator)', description: 'Durable before the answer. With the same Idempotency-Key (or, without one, the same definition and businessKey) a retried request returns the saga the first one started: 201 the first time, 200 after.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-200 printable ASCII characters; one saga per key, ever' })
  @ApiCreatedResponse({ type: StartedSagaDto, description: 'started; Location names the saga' })
  @ApiOkResponse({
    description: 'without wait: already started by an earlier request with this key (StartedSaga). With wait: the saga has settled (StartedSagaResult: status, output, reason)',
    schema: { oneOf: [{ $ref: getSchemaPath(StartedSagaDto) }, { $ref: getSchemaPath(StartedSagaResultDto) }] },
  })
  @ApiAcceptedResponse({ type: StartedSagaResultDto, description: 'with wait: the wait ran out; the saga as it stands, Location is its result to poll (GET …/result?wait=…)' })
  @ProblemResponse(400, 'VALIDATION_FAILED (also a wait above API_MAX_WAIT_MS), or INVALID_SAGA_INPUT (input does not match the inputSchema)')
  @ProblemResponse(404, 'DEFINITION_NOT_FOUND')
  @ProblemResponse(409, 'IDEMPOTENCY_KEY_CONFLICT: the key started a saga with a different request; DEFINITION_VERSION_DEPRECATED: the version named is deprecated (omit it for the latest)')
  async start(
    @Body() body: StartSagaBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
    @Query() query: WaitQuery,
  ): Promise<StartedSagaDto | StartedSagaResultDto> {
    const waitMs = this.results.waitMs(query.wait);
    const { saga, created } = await this.starts.start(body, idempotencyKey, principal, traceparent);
    if (waitMs === undefined) {
      res.status(created ? HttpStatus.CREATED : HttpStatus.OK).location(`/v1/sagas/${saga.sagaId}`);
      return { ...sagaSummary(saga), created };
    }
    const result = await this.results.await(saga.sagaId, waitMs);
    this.answerResult(res, result);
    return { ...result, created };
  }

  @Get(':sagaId/result')
  @RequireRole('viewer')
  @ApiOperation({
    summary: "A saga's result, waiting up to `wait` for it to settle (role: viewer)",
    description: 'Settled = COMPLETED (with output), COMPENSATED (with reason) or FAILED (waits for an operator; escalation). Any replica answers; waiting requests are woken by one notification per settled saga.',
  })
  @ApiOkResponse({ type: SagaResultDto, description: 'the saga has settled' })
  @ApiAcceptedResponse({ type: SagaResultDto, description: 'not settled (yet, or within wait); Location is this resource, to poll again' })
  @ProblemResponse(400, 'VALIDATION_FAILED (also a wait above API_MAX_WAIT_MS)')
  @ProblemResponse(404, 'SAGA_NOT_FOUND')
  async result(@Param() params: SagaIdParams, @Query() query: WaitQuery, @Res({ passthrough: true }) res: Response): Promise<SagaResultDto> {
    const result = await this.results.await(params.sagaId, this.results.waitMs(query.wait) ?? 0);
    this.answerResult(res, result);
    return result;
  }

  private answerResult(res: Response, result: SagaResultDto): void {
    if (result.settled) res.status(HttpStatus.OK).location(`/v1/sagas/${result.sagaId}`);
    else res.status(HttpStatus.ACCEPTED).location(`/v1/sagas/${result.sagaId}/result`);
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
