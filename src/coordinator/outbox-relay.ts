// The relay: publishes committed outbox rows to Kafka and marks them sent.
// It wakes on NOTIFY saga_outbox (sent by a trigger at commit) and also polls, so
// a lost notification or a dropped LISTEN connection only delays delivery.
// A crash between publish and mark re-publishes the batch: at-least-once, and every
// consumer dedupes by message id.
import type { Pool, PoolClient } from 'pg';
import type { KafkaBus } from '@saga-coordinator/participant/kafka';
import { claimOutboxBatch, deleteSentOutbox, markOutboxSent } from '../persistence/outbox.repository';
import { inTransaction } from '../persistence/queryable';
import { WorkLoop } from './work-loop';

export interface OutboxRelayOptions {
  /** @default 500 */
  batchSize?: number;
  /** Fallback polling interval when no notification arrives. @default 1000 */
  pollIntervalMs?: number;
  /** Sent rows older than this are deleted. @default 3600 */
  retainSentSeconds?: number;
  onError?: (err: Error) => void;
}

export class OutboxRelay {
  private readonly loop: WorkLoop;
  private listener?: PoolClient;
  private lastCleanup = 0;
  private readonly batchSize: number;
  private readonly retainSentSeconds: number;

  constructor(
    private readonly pool: Pool,
    private readonly bus: KafkaBus,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.retainSentSeconds = options.retainSentSeconds ?? 3600;
    this.loop = new WorkLoop(
      async () => {
        const n = await this.relayOnce();
        await this.cleanupIfDue();
        return n >= this.batchSize;
      },
      { idleMs: options.pollIntervalMs ?? 1000, onError: options.onError },
    );
  }

  async start(): Promise<void> {
    if (this.loop.isRunning) return;
    await this.listen();
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      await listener.query('unlisten saga_outbox').catch(() => undefined);
      listener.release();
    }
  }

  private relayOnce(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const rows = await claimOutboxBatch(client, this.batchSize);
      if (rows.length > 0) {
        await this.bus.publish(rows.map((r) => ({ topic: r.topic, key: r.key, value: r.payload, headers: r.headers })));
        await markOutboxSent(client, rows.map((r) => r.id));
      }
      return rows.length;
    });
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await deleteSentOutbox(this.pool, this.retainSentSeconds);
  }

  private async listen(): Promise<void> {
    try {
      const client = await this.pool.connect();
      client.on('notification', () => this.loop.wake());
      client.on('error', (err) => {
        // The LISTEN connection died: polling still delivers; try to listen again shortly.
        this.options.onError?.(err);
        if (this.listener === client) this.listener = undefined;
        client.release(err);
        if (this.loop.isRunning) setTimeout(() => void (this.loop.isRunning && !this.listener && this.listen()), 1000).unref();
      });
      await client.query('listen saga_outbox');
      this.listener = client;
    } catch (err) {
      this.options.onError?.(err as Error);
    }
  }
}
