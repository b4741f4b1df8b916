// Dead letters: the latest messages the coordinator could not use, and why (the
// dead_letters table; the messages themselves are on the dead-letter topic).
import { Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { PG_POOL } from '../../persistence/database.module';
import { listRecentDeadLetters, type DeadLetterRow } from '../../persistence/dead-letter.repository';
import { ApiV1Controller, RequireRole } from '../auth/api-route.decorators';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { DeadLetterDto, DeadLetterListDto, ListDeadLettersQuery } from './dead-letter.dto';

@ApiV1Controller('dead-letters', 'dead-letters')
export class DeadLettersController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'The latest dead-lettered messages with their reasons, newest first (role: viewer)' })
  @ApiOkResponse({ type: DeadLetterListDto })
  @ProblemResponse(400, 'VALIDATION_FAILED')
  async list(@Query() query: ListDeadLettersQuery): Promise<DeadLetterListDto> {
    const rows = await listRecentDeadLetters(this.pool, query.limit ?? 50, query.reasonCode);
    return { items: rows.map(deadLetterView) };
  }
}

function deadLetterView(r: DeadLetterRow): DeadLetterDto {
  return {
    id: r.id,
    deadLetteredAt: r.deadLetteredAt.toISOString(),
    reasonCode: r.reasonCode,
    reason: r.reason,
    by: r.by,
    source: { topic: r.sourceTopic, partition: r.sourcePartition, offset: r.sourceOffset },
    key: r.key,
    value: r.valueExcerpt,
    valueBytes: r.valueBytes,
  };
}
