// Answering requests that wait for a saga to settle. A waiter subscribes to the replica's
// settlement listener (one LISTEN connection, saga-settlement.listener.ts), reads the saga
// once, and reads it again only when woken: by the NOTIFY of the transaction that settled
// it, on any replica, or after the listener reconnected. So a replica that did not run the
// saga answers like the one that did, and a waiting request costs no query while it waits.
import { Inject, Injectable, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { AppConfig } from '../../config/app-config';
import { SagaNotFoundError } from '../../coordinator/coordinator-errors';
import { isSettledSagaStatus } from '../../core/saga-status';
import { sagaOutcome } from '../../core/saga-state';
import { PG_POOL } from '../../persistence/database.module';
import { readSagaState } from '../../persistence/saga-state.reader';
import { findSagaInstance, type SagaInstanceRow } from '../../persistence/saga-instance.repository';
import { SagaSettlementListener } from '../../persistence/saga-settlement.listener';
import { RequestValidationError } from '../errors/api-errors';
import { WAIT_PATTERN, type SagaResultDto } from './saga-result.dto';
import type { CompensationReasonDto, QuarantineDto } from './saga-view.dto';
import { sagaSummary } from './saga-views';

/** While the listener is reconnecting, waiters read their saga this often instead. */
const FALLBACK_READ_MS = 1_000;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000 } as const;

/** `wait` in milliseconds (undefined: no wait); a value above `maxMs` is a 400 naming the limit and its variable. */
export function parseWait(wait: string | undefined, maxMs: number): number | undefined {
  if (wait === undefined) return undefined;
  const m = WAIT_PATTERN.exec(wait);
  if (!m) throw new RequestValidationError([{ field: 'wait', message: 'wait must be a duration such as 10s, 500ms or 2m' }]);
  const ms = Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS];
  if (ms > maxMs) throw new RequestValidationError([{ field: 'wait', message: `wait must be at most ${maxMs} ms (API_MAX_WAIT_MS)` }]);
  return ms;
}

/** The result view of an instance row: the summary, whether it settled, and its outcome. */
export function sagaResult(row: SagaInstanceRow): SagaResultDto {
  const view: SagaResultDto = { ...sagaSummary(row), idempotencyKey: row.idempotencyKey, settled: isSettledSagaStatus(row.status) };
  if (row.quarantine) {
    // Quarantined: the row says FAILED whatever its state holds; the state may not even be readable.
    view.quarantine = row.quarantine as QuarantineDto;
    return view;
  }
  const outcome = sagaOutcome(readSagaState(row.state, row.sagaId));
  if (outcome.output !== undefined) view.output = outcome.output;
  if (outcome.reason) view.reason = { ...outcome.reason, at: new Date(outcome.reason.at).toISOString() } as CompensationReasonDto;
  if (outcome.escalation) view.escalation = { ...outcome.escalation, at: new Date(outcome.escalation.at).toISOString() };
  return view;
}

@Injectable()
export class SagaResultService implements OnModuleDestroy, OnApplicationShutdown {
  /** Set when the app stops: every waiter answers with the saga as it stands (202), so shutdown does not wait out the waits. */
  private stopping = false;
  private readonly active = new Set<() => void>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly listener: SagaSettlementListener,
    private readonly config: AppConfig,
  ) {}

  /** Validates a request's `wait` against API_MAX_WAIT_MS. */
  waitMs(wait: string | undefined): number | undefined {
    return parseWait(wait, this.config.API_MAX_WAIT_MS);
  }

  /** The saga's result once it settles, or as it stands when `waitMs` has passed. */
  async await(sagaId: string, waitMs: number): Promise<SagaResultDto> {
    const deadline = Date.now() + waitMs;
    let woken = false;
    let wake: () => void = () => undefined;
    const unsubscribe = waitMs > 0 ? this.listener.subscribe(sagaId, () => ((woken = true), wake())) : () => undefined;
    try {
      for (;;) {
        woken = false;
        const row = await findSagaInstance(this.pool, sagaId);
        if (!row) throw new SagaNotFoundError(sagaId);
        const result = sagaResult(row);
        const left = deadline - Date.now();
        if (result.settled || left <= 0 || this.stopping) return result;
        if (woken) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.listener.listening ? left : Math.min(left, FALLBACK_READ_MS));
          wake = () => (clearTimeout(timer), resolve());
          this.active.add(wake);
        });
        this.active.delete(wake);
        wake = () => undefined;
      }
    } finally {
      unsubscribe();
    }
  }

  /** Before the HTTP server closes: waiting requests answer now (it would otherwise wait for them). */
  onModuleDestroy(): void {
    this.stopping = true;
    for (const wake of [...this.active]) wake();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }
}
