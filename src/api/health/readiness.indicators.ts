// Readiness: the coordinator can only do its job while both PostgreSQL and Kafka answer.
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Pool } from 'pg';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { ReplyProgress } from '../../coordinator/reply-progress';
import { DatabaseReadiness, PG_POOL } from '../../persistence/database.module';

/** Replies not read for this long mean the coordinator cannot advance sagas (its consumer is not consuming). */
const REPLIES_STALE_MS = 60_000;

const PROBE_TIMEOUT_MS = 2_000;

@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly bus: KafkaBus,
    private readonly database: DatabaseReadiness,
    private readonly replyProgress: ReplyProgress,
  ) {}

  async postgres(): Promise<HealthIndicatorResult<'postgres'>> {
    const check = this.health.check('postgres');
    try {
      await this.pingPostgres();
      if (!this.database.isReady) return check.down({ message: 'PostgreSQL answers, but the schema is not migrated yet' });
      return check.up();
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  async kafka(): Promise<HealthIndicatorResult<'kafka'>> {
    const check = this.health.check('kafka');
    try {
      await this.bus.ping(PROBE_TIMEOUT_MS);
      return check.up();
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  /** Whether the coordinator reads the replies: the time up to which every reply has been applied keeps moving. */
  replies(): HealthIndicatorResult<'replies'> {
    const check = this.health.check('replies');
    const until = this.replyProgress.appliedUntil;
    if (until === Number.NEGATIVE_INFINITY) return check.down({ message: 'the coordinator has not yet read the replies topic (consumer group joining, or Kafka unreachable)' });
    const behindMs = Date.now() - until;
    if (behindMs > REPLIES_STALE_MS) return check.down({ message: `replies applied only up to ${new Date(until).toISOString()} (${Math.round(behindMs / 1000)} s behind); timeouts wait meanwhile` });
    return check.up({ behindMs });
  }

  private async pingPostgres(): Promise<void> {
    // A dedicated client with its own timeout: a pool checkout could wait behind busy work.
    const client = await this.pool.connect();
    // A checked-out client's 'error' must be heard, or it ends the process (the pool listens only to idle ones).
    const onError = () => undefined;
    client.on('error', onError);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('select 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`PostgreSQL did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS))),
      ]);
      client.release();
    } catch (err) {
      // Do not hand a possibly dead connection back to the pool.
      client.release(err as Error);
      throw err;
    } finally {
      clearTimeout(timer);
      client.off('error', onError);
    }
  }
}
