// The participants the coordinator sends to: who consumes their commands (Kafka's view),
// how their circuit breaker stands (the database's), and what this replica has seen of
// them. Opening or closing a breaker by hand goes through the core's breaker rules and is
// recorded with the operator and the reason.
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { ENGINE_OPTIONS, type EngineOptions } from '../../coordinator/engine-options';
import { ParticipantHealth } from '../../coordinator/participant-health';
import { ParticipantStats } from '../../coordinator/participant-stats';
import { TimerGate } from '../../coordinator/timer-gate';
import { breakerHolds, closedBreaker, nextBreaker, type Breaker } from '../../core/participant-breaker';
import { PG_POOL } from '../../persistence/database.module';
import { listBreakers, lockBreakers, saveBreakers } from '../../persistence/participant-breaker.repository';
import { inTransaction } from '../../persistence/queryable';
import type { Principal } from '../auth/principal';
import { ParticipantNotFoundError } from '../errors/api-errors';
import type { BreakerDto, ParticipantDto } from './participant.dto';

@Injectable()
export class ParticipantsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly health: ParticipantHealth,
    private readonly stats: ParticipantStats,
    private readonly gate: TimerGate,
    @Inject(ENGINE_OPTIONS) private readonly options: EngineOptions,
  ) {}

  async list(): Promise<ParticipantDto[]> {
    const breakers = new Map((await listBreakers(this.pool)).map((b) => [b.participant, b]));
    const consumption = new Map(this.health.all().map((c) => [c.participant, c]));
    const names = new Set([...consumption.keys(), ...breakers.keys(), ...this.stats.participants()]);
    const now = Date.now();
    return [...names].sort().map((name) => {
      const c = consumption.get(name);
      const b = breakers.get(name);
      const s = this.stats.get(name, now);
      const group = c?.groups.sort((x, y) => y.members - x.members)[0];
      const paused = b !== undefined && breakerHolds(b, now, this.options.breakerPolicy).holds;
      return {
        name,
        commandTopic: c?.commandTopic ?? this.options.topics.commands(name),
        commandsSent: s.commandsSent,
        repliesReceived: s.repliesReceived,
        lastReplyAt: s.lastReplyAt === null ? null : new Date(s.lastReplyAt).toISOString(),
        attemptsTimedOutRecently: s.attemptsTimedOutRecently,
        consumerGroup: { groupId: group?.groupId ?? null, members: group?.members ?? 0, lag: group?.lag ?? 0 },
        status: paused ? 'paused' : (c?.status ?? 'unknown'),
        breaker: b ? breakerView(b) : null,
      };
    });
  }

  async changeBreaker(name: string, to: 'open' | 'closed', reason: string, principal: Principal): Promise<BreakerDto> {
    const known = new Set([...this.health.all().map((c) => c.participant), ...this.stats.participants()]);
    const after = await inTransaction(this.pool, async (client) => {
      const before = (await lockBreakers(client, [name])).get(name) ?? null;
      if (before === null && !known.has(name)) throw new ParticipantNotFoundError(name);
      const now = Date.now();
      const signal = to === 'open' ? ({ type: 'opened-by-operator', by: principal.actor, reason, at: now } as const) : ({ type: 'closed-by-operator', by: principal.actor, reason, at: now } as const);
      const next = nextBreaker(before ?? closedBreaker(name, now), signal, this.options.breakerPolicy);
      await saveBreakers(client, [{ before, after: next }]);
      return next;
    });
    this.gate.remember([after]);
    return breakerView(after);
  }
}

function breakerView(b: Breaker): BreakerDto {
  return { state: b.state, since: new Date(b.since).toISOString(), reason: b.reason, by: b.changedBy, failures: b.failures };
}
