// A dependency (PostgreSQL, Kafka) that is down at boot is waited for in the background
// instead of ending the process: an outage, at boot or later, is a pause, not a failure.
// The process serves /health meanwhile and /health/ready says what is missing; the parts
// that need the dependency start when `ready` resolves.
import type { Logger } from '@nestjs/common';

export class DependencyReadiness {
  private resolveReady!: () => void;
  readonly ready: Promise<void> = new Promise((resolve) => (this.resolveReady = resolve));
  private done = false;

  get isReady(): boolean {
    return this.done;
  }

  markReady(): void {
    this.done = true;
    this.resolveReady();
  }
}

/**
 * Runs `connect` until it succeeds (backing off to 5 s), logging each failure. The
 * first attempt runs before this returns; later ones in the background. `shouldStop`
 * ends the attempts (the process is shutting down).
 */
export async function connectOrKeepTrying(what: string, logger: Logger, connect: () => Promise<void>, shouldStop: () => boolean, isFatal: (err: unknown) => boolean = () => false): Promise<void> {
  try {
    await connect();
    return;
  } catch (err) {
    if (isFatal(err)) throw err;
    logger.warn(`${(err as Error).message}; waiting for ${what} (the coordinator is not ready until it answers)`);
  }
  void (async () => {
    for (let delay = 500; !shouldStop(); delay = Math.min(delay * 2, 5_000)) {
      await new Promise((r) => setTimeout(r, delay));
      if (shouldStop()) return;
      try {
        await connect();
        logger.log(`${what} answers again`);
        return;
      } catch (err) {
        logger.warn(`still waiting for ${what}: ${(err as Error).message}`);
      }
    }
  })();
}
