// One operator action over every saga a filter matches, with a dry run.
import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiV1Controller, CurrentPrincipal, RequireRole } from '../auth/api-route.decorators';
import type { Principal } from '../auth/principal';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { BulkOperationBody, BulkOperationResultDto } from './bulk-operation.dto';
import { SagaOperationsService } from './saga-operations.service';

@ApiV1Controller('bulk-operations', 'operations')
export class BulkOperationsController {
  constructor(private readonly operations: SagaOperationsService) {}

  @Post()
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({
    summary: 'Cancel, retry or resume every saga a filter matches (role: operator)',
    description: 'Up to `limit` sagas per request, newest first; continue with nextCursor. Each saga is acted on in its own transaction and reported as applied, no-op or refused (with the code a single action would give). With dryRun, nothing changes and each saga is reported as would-apply, no-op or refused.',
  })
  @ApiOkResponse({ type: BulkOperationResultDto })
  @ProblemResponse(400, 'VALIDATION_FAILED')
  run(@Body() body: BulkOperationBody, @CurrentPrincipal() who: Principal): Promise<BulkOperationResultDto> {
    return this.operations.bulk(body, who);
  }
}
