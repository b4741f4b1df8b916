// The recovery path of the outbox: publishes batches that nobody published from memory
// within the grace period — their process died between commit and publish, or could not
// reach Kafka — and deletes them, all in one transaction per round. Several replicas
// share the work with SKIP LOCKED. (The fast path is publisher.ts.)
//
// Rejected: a NOTIFY trigger waking the relay on every insert. With publish-from-memory
// the relay only ever has work after a failure, and a trigger would cost every commit.
import type { Pool } from 'pg';
import type { KafkaBus } from '@saga-coordinator/participant/kafka';
import { deleteOutboxBatches, lockStaleOutboxBatches } from '../persistence/outbox.repository';
import { inTransaction } from '../persistence/queryable';
import { WorkLoop } from './work-loop';

export interface OutboxRelayOptions {
  /** A batch younger than this is left to the process that committed it. */
  graceMs: number;
  pollIntervalMs: number;
  batchesPerRound: number;
  onError: (err: Error) => void;
}

export class OutboxRelay {
  private readonly loop: WorkLoop;

  constructor(
    private readonly pool: Pool,
    private readonly bus: KafkaBus,
    private readonly options: OutboxRelayOptions,
  ) {
    this.loop = new WorkLoop(async () => (await this.relayOnce()) >= options.batchesPerRound, { idleMs: options.pollIntervalMs, onError: options.onError });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Publishes one round of stale batches; returns how many. */
  relayOnce(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const batches = await lockStaleOutboxBatches(client, this.options.graceMs, this.options.batchesPerRound);
      if (batches.length === 0) return 0;
      await this.bus.publish(batches.flatMap((b) => b.messages));
      await deleteOutboxBatches(client, batches.map((b) => b.id));
      return batches.length;
    });
  }
}
