// The participants view and the breaker controls' bodies.
import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { IDENTIFIER_PATTERN } from '../../core/saga-definition';
import { ReasonBody } from '../operations/operation.dto';

export class ParticipantNameParams {
  @ApiProperty({ example: 'payments' })
  @Matches(IDENTIFIER_PATTERN, { message: 'name must be a participant name' })
  name!: string;
}

export class BreakerChangeBody extends ReasonBody {}

export class ConsumerGroupDto {
  @ApiProperty({ type: String, nullable: true, description: 'the group holding the command topic; when nobody consumes it, the group that last did (0 members), or null if none did since this replica started' })
  groupId!: string | null;
  @ApiProperty({ description: 'members of that group' })
  members!: number;
  @ApiProperty({ description: 'commands written but not yet consumed by the group (with no group known: every command written)' })
  lag!: number;
}

export class BreakerDto {
  @ApiProperty({ enum: ['closed', 'open', 'half-open'] })
  state!: string;
  @ApiProperty({ format: 'date-time' })
  since!: string;
  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
  @ApiProperty({ description: "'auto' (failure threshold, probe) or the operator's actor" })
  by!: string;
  @ApiProperty({ description: 'timeouts and retry answers in a row' })
  failures!: number;
}

export class ParticipantDto {
  @ApiProperty({ example: 'payments' })
  name!: string;
  @ApiProperty({ example: 'saga.commands.payments' })
  commandTopic!: string;
  @ApiProperty({ description: 'commands this coordinator replica sent since it started' })
  commandsSent!: number;
  @ApiProperty({ description: 'replies this replica applied since it started' })
  repliesReceived!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastReplyAt!: string | null;
  @ApiProperty({ description: 'attempts that timed out in the last five minutes (this replica)' })
  attemptsTimedOutRecently!: number;
  @ApiProperty({ type: ConsumerGroupDto })
  consumerGroup!: ConsumerGroupDto;
  @ApiProperty({
    enum: ['healthy', 'slow', 'not-consuming', 'paused', 'unknown'],
    description: 'not-consuming: no consumer holds its command topic (its timers wait); paused: its circuit breaker is open; slow: commands wait and the group does not move',
  })
  status!: string;
  @ApiProperty({ type: BreakerDto, nullable: true, description: 'null: never opened (closed, no failures)' })
  breaker!: BreakerDto | null;
}

export class ParticipantListDto {
  @ApiProperty({ type: [ParticipantDto] })
  items!: ParticipantDto[];
}
