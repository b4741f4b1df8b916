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

export interface TimerPollerOptions {
  /** @default 200 */
  batchSize?: number;
  /** Longest sleep between polls; timers are precise to about this much. @default 200 */
  pollIntervalMs?: number;
  onError?: (err: Error) => void;
}

export class TimerPoller {
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly engine: SagaEngine,
    private readonly options: TimerPollerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** Fires one batch of due timers; returns how many fired. */
  async fireDue(): Promise<number> {
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

  private async run(): Promise<void> {
    while (this.running) {
      let fired = 0;
      try {
        fired = await this.fireDue();
      } catch (err) {
        this.options.onError?.(err as Error);
        await this.sleep(1000);
        continue;
      }
      if (fired < this.batchSize) await this.sleep(this.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
