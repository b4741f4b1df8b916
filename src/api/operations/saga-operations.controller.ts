// Operator actions on one saga. Each is idempotent, recorded in the saga's history
// with the API key's name and the reason, and refused with 409 when the saga's state
// does not allow it.
import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiV1Controller, CurrentPrincipal, RequireRole } from '../auth/api-route.decorators';
import type { Principal } from '../auth/principal';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { SagaIdParams, SagaStepParams } from '../sagas/saga-params.dto';
import { CancelSagaBody, OperationResultDto, OverrideStepBody, ResumeSagaBody, RetrySagaBody } from './operation.dto';
import { SagaOperationsService } from './saga-operations.service';

const REFUSALS = 'refused by the saga\'s state, with the core\'s code: SAGA_FINISHED, SAGA_NOT_CANCELLABLE, SAGA_NOT_FAILED, STEP_NOT_RETRYABLE, NOTHING_TO_RETRY, STEP_NOT_OVERRIDABLE, SAGA_QUEUED (the saga waits for its concurrency key: cancel it or wait)';

@ApiV1Controller('sagas/:sagaId', 'operations')
@ProblemResponse(400, 'VALIDATION_FAILED')
@ProblemResponse(404, 'SAGA_NOT_FOUND (or UNKNOWN_STEP)')
@ProblemResponse(409, REFUSALS)
export class SagaOperationsController {
  constructor(private readonly operations: SagaOperationsService) {}

  @Post('cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: OperationResultDto, description: 'applied, or no-op when the saga already was as asked' })
  @RequireRole('operator')
  @ApiOperation({ summary: 'Cancel: compensate what was done (role: operator)', description: 'Steps in flight are awaited, then the completed steps are compensated in reverse order. A repeated cancel is a no-op; 409 SAGA_FINISHED once the saga completed, 409 SAGA_NOT_CANCELLABLE after its pivot.' })
  cancel(@Param() p: SagaIdParams, @Body() body: CancelSagaBody, @CurrentPrincipal() who: Principal): Promise<OperationResultDto> {
    return this.operations.perform(p.sagaId, { operation: 'cancel', reason: body.reason }, who);
  }

  @Post('retry')
  @HttpCode(200)
  @ApiOkResponse({ type: OperationResultDto, description: 'applied, or no-op when the saga already was as asked' })
  @RequireRole('operator')
  @ApiOperation({ summary: 'Retry now: a step in backoff, a failed step waiting for an operator, or a stuck compensation (role: operator)', description: 'Sends a fresh attempt with a fresh attempt budget. Without `step`, every step waiting for a backoff or an operator.' })
  retry(@Param() p: SagaIdParams, @Body() body: RetrySagaBody, @CurrentPrincipal() who: Principal): Promise<OperationResultDto> {
    return this.operations.perform(p.sagaId, { operation: 'retry', reason: body.reason, step: body.step }, who);
  }

  @Post('resume')
  @HttpCode(200)
  @ApiOkResponse({ type: OperationResultDto, description: 'applied, or no-op when the saga already was as asked' })
  @RequireRole('operator')
  @ApiOperation({ summary: 'Resume a FAILED (escalated) saga: re-attempt every step waiting for an operator (role: operator)' })
  resume(@Param() p: SagaIdParams, @Body() body: ResumeSagaBody, @CurrentPrincipal() who: Principal): Promise<OperationResultDto> {
    return this.operations.perform(p.sagaId, { operation: 'resume', reason: body.reason }, who);
  }

  @Post('steps/:step/override')
  @HttpCode(200)
  @ApiOkResponse({ type: OperationResultDto, description: 'applied, or no-op when the saga already was as asked' })
  @RequireRole('admin')
  @ApiOperation({ summary: 'Override: mark a stuck step as succeeded or compensated by hand, with a mandatory reason (role: admin)' })
  override(@Param() p: SagaStepParams, @Body() body: OverrideStepBody, @CurrentPrincipal() who: Principal): Promise<OperationResultDto> {
    return this.operations.perform(p.sagaId, { operation: 'override', step: p.step, as: body.as, output: body.output, reason: body.reason }, who);
  }
}
