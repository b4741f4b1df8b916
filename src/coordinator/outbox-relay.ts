// The relay: publishes committed outbox rows to Kafka and marks them sent.
// It wakes on NOTIFY saga_outbox (sent by a trigger at commit) and also polls, so
// a lost notification or a dropped LISTEN connection only delays delivery.
// A crash between publish and mark re-publishes the batch: at-least-once, and every
// consumer dedupes by message id.
import type { Pool, PoolClient } from 'pg';
import type { KafkaBus } from '../messaging/kafka-bus';
import { claimOutboxBatch, deleteSentOutbox, markOutboxSent } from '../persistence/outbox.repository';

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
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pendingWake = false;
  private listener?: PoolClient;
  private lastCleanup = 0;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retainSentSeconds: number;

  constructor(
    private readonly pool: Pool,
    private readonly bus: KafkaBus,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.retainSentSeconds = options.retainSentSeconds ?? 3600;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      await listener.query('unlisten saga_outbox').catch(() => undefined);
      listener.release();
    }
  }

  /** Publishes until the outbox is empty; returns how many messages went out. Used by the loop and by tests. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.relayOnce();
      total += n;
      if (n < this.batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const n = await this.relayOnce();
        await this.cleanupIfDue();
        if (n >= this.batchSize) continue;
      } catch (err) {
        this.options.onError?.(err as Error);
        await this.sleep(1000);
        continue;
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  private async relayOnce(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const rows = await claimOutboxBatch(client, this.batchSize);
      if (rows.length > 0) {
        await this.bus.publish(rows.map((r) => ({ topic: r.topic, key: r.key, value: r.payload, headers: r.headers })));
        await markOutboxSent(client, rows.map((r) => r.id));
      }
      await client.query('commit');
      return rows.length;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await deleteSentOutbox(this.pool, this.retainSentSeconds);
  }

  private async listen(): Promise<void> {
    try {
      const client = await this.pool.connect();
      client.on('notification', () => this.notify());
      client.on('error', (err) => {
        // The LISTEN connection died: polling still delivers; try to listen again shortly.
        this.options.onError?.(err);
        if (this.listener === client) this.listener = undefined;
        client.release(err);
        if (this.running) setTimeout(() => void (this.running && !this.listener && this.listen()), 1000).unref();
      });
      await client.query('listen saga_outbox');
      this.listener = client;
    } catch (err) {
      this.options.onError?.(err as Error);
    }
  }

  private notify(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.pendingWake = false;
        this.wake = undefined;
        done();
      };
    });
  }
}
