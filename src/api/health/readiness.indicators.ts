// Readiness: the coordinator can only do its job while both PostgreSQL and Kafka answer.
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Pool } from 'pg';
import { KafkaBus } from '@saga-coordinator/participant/kafka';
import { PG_POOL } from '../../persistence/database.module';

const PROBE_TIMEOUT_MS = 2_000;

@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly bus: KafkaBus,
  ) {}

  async postgres(): Promise<HealthIndicatorResult<'postgres'>> {
    const check = this.health.check('postgres');
    try {
      await this.pingPostgres();
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
