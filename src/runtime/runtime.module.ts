// The process's own upkeep, apart from sagas: for now, returning idle memory (idle-collection.ts).
import { Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { fullCollection, IdleCollector } from './idle-collection';

const logger = new Logger('Runtime');
const MIB = 1024 * 1024;

class IdleCollection implements OnApplicationBootstrap, OnApplicationShutdown {
  private collector?: IdleCollector;

  onApplicationBootstrap(): void {
    const gc = fullCollection();
    if (!gc) {
      logger.warn('this runtime refuses to expose a full garbage collection: memory after a burst is returned only when V8 decides to');
      return;
    }
    this.collector = new IdleCollector(gc, undefined, (c) =>
      logger.debug(`quiet after a burst: heap in use ${Math.round(c.heapUsedBeforeBytes / MIB)} → ${Math.round(c.heapUsedAfterBytes / MIB)} MiB in ${Math.round(c.ms)} ms`),
    );
    this.collector.start();
  }

  onApplicationShutdown(): void {
    this.collector?.stop();
  }
}

@Module({ providers: [IdleCollection] })
export class RuntimeModule {}
