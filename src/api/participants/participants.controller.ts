// Participants: who is alive, and their circuit breakers. Thin: the service does the work.
import { Body, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiV1Controller, CurrentPrincipal, RequireRole } from '../auth/api-route.decorators';
import type { Principal } from '../auth/principal';
import { ProblemResponse } from '../errors/problem-response.decorator';
import { BreakerChangeBody, BreakerDto, ParticipantListDto, ParticipantNameParams } from './participant.dto';
import { ParticipantsService } from './participants.service';

@ApiV1Controller('participants', 'participants')
export class ParticipantsController {
  constructor(private readonly participants: ParticipantsService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Every participant the coordinator sends to: consumption, circuit breaker, recent answers (role: viewer)' })
  @ApiOkResponse({ type: ParticipantListDto })
  async list(): Promise<ParticipantListDto> {
    return { items: await this.participants.list() };
  }

  @Post(':name/breaker/open')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: "Open a participant's circuit breaker by hand: its attempts wait until it is closed (role: operator)" })
  @ApiOkResponse({ type: BreakerDto })
  @ProblemResponse(404, 'PARTICIPANT_NOT_FOUND')
  open(@Param() params: ParticipantNameParams, @Body() body: BreakerChangeBody, @CurrentPrincipal() principal: Principal): Promise<BreakerDto> {
    return this.participants.changeBreaker(params.name, 'open', body.reason, principal);
  }

  @Post(':name/breaker/close')
  @HttpCode(200)
  @RequireRole('operator')
  @ApiOperation({ summary: "Close a participant's circuit breaker by hand: its waiting attempts go out (role: operator)" })
  @ApiOkResponse({ type: BreakerDto })
  @ProblemResponse(404, 'PARTICIPANT_NOT_FOUND')
  close(@Param() params: ParticipantNameParams, @Body() body: BreakerChangeBody, @CurrentPrincipal() principal: Principal): Promise<BreakerDto> {
    return this.participants.changeBreaker(params.name, 'closed', body.reason, principal);
  }
}
