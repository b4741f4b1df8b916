// Fires due timers: claims them with SKIP LOCKED (several replicas share the work),
// turns each into its event, applies it through the engine and deletes it, all in
// one transaction — so a timer fires once, and survives any restart before that.
//
// Lock order: reply transactions lock a saga, then touch its timers; this poller
// holds timers, so it takes saga locks with SKIP LOCKED and leaves a timer whose
// saga is busy for the next round instead of waiting (waiting could deadlock).
import type { Pool } from 'pg';
import { timerEvent } from '../core/timers';
import type { ScheduleTimer } from '../core/saga-effects';
import { inTransaction } from '../persistence/queryable';
import { lockSagaInstancesSkipLocked } from '../persistence/saga-instance.repository';
import { claimDueTimers, deleteTimers } from '../persistence/saga-timer.repository';
import type { SagaEngine } from './saga-engine';
import { WorkLoop } from './work-loop';

export interface TimerPollerOptions {
  /** @default 200 */
  batchSize?: number;
  /** Longest sleep between polls; timers are precise to about this much. @default 200 */
  pollIntervalMs?: number;
  onError?: (err: Error) => void;
}

export class TimerPoller {
  private readonly loop: WorkLoop;
  private readonly batchSize: number;

  constructor(
    private readonly pool: Pool,
    private readonly engine: SagaEngine,
    private readonly options: TimerPollerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.loop = new WorkLoop(async () => (await this.fireDue()) >= this.batchSize, {
      idleMs: options.pollIntervalMs ?? 200,
      onError: options.onError,
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Fires one batch of due timers; returns how many fired. */
  private fireDue(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const due = await claimDueTimers(client, this.batchSize);
      if (due.length === 0) return 0;
      const free = await lockSagaInstancesSkipLocked(client, [...new Set(due.map((t) => t.sagaId))]);
      const firing = due.filter((t) => free.has(t.sagaId));
      if (firing.length === 0) return 0;
      await this.engine.applyInTransaction(
        client,
        firing.map((t) => ({ sagaId: t.sagaId, event: timerEvent(t.payload as ScheduleTimer), actor: 'timer' })),
      );
      await deleteTimers(client, firing.map((t) => t.timerId));
      return firing.length;
    });
  }
}
