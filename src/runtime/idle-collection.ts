// Gives a burst's garbage back to the system once the process goes quiet. V8 collects its
// old generation when that nears a limit set from the heap's size at the last collection,
// and a quiet process allocates too little to get there: after taking up 100,000 starts
// the coordinator sat at 320 MiB for minutes with four fifths of its heap garbage (one
// full collection: 346 → 214 MiB, 53 ms). Browsers tell V8 when they are idle; Node does
// not, so the process does it here, at most once per burst.
// Rejected: a cap on the old space (--max-old-space-size) for the same figure; the engine
// may hold batches of states far past any cap small enough to matter, and near it the
// collector ran so often that taking up the 100,000 took 39 s instead of 28 s.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleCollectionPolicy {
  /** The event loop counts as quiet below this share of busy time over the last window. */
  quietUtilization: number;
  /** Collect only once the heap in use grew this much since the last collection: a pause worth its gain. */
  minGrowthBytes: number;
}

export const IDLE_COLLECTION_POLICY: IdleCollectionPolicy = { quietUtilization: 0.1, minGrowthBytes: 64 * 1024 * 1024 };

export interface IdleObservation {
  /** Event-loop utilization over the last window, 0 to 1. */
  utilization: number;
  heapUsedBytes: number;
  /** Heap in use just after the last collection (or at start). */
  heapUsedAfterLastBytes: number;
}

export function shouldCollect(o: IdleObservation, policy: IdleCollectionPolicy): boolean {
  return o.utilization < policy.quietUtilization && o.heapUsedBytes - o.heapUsedAfterLastBytes >= policy.minGrowthBytes;
}

/**
 * V8's full collection, exposed for this process and compacting (undefined where the runtime
 * refuses): a plain one freed the garbage but kept its pages, the heap at 150 MB with 40 MB
 * in use; moving the survivors together gives the emptied pages back.
 */
export function fullCollection(): (() => void) | undefined {
  let gc: unknown = (globalThis as { gc?: unknown }).gc;
  try {
    if (typeof gc !== 'function') {
      // Exposes `gc` to contexts created from now on, not to the global scope of this one.
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc');
    }
  } catch {
    return undefined;
  }
  if (typeof gc !== 'function') return undefined;
  const collect = gc as () => void;
  return () => {
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      collect();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}

export interface Collected {
  heapUsedBeforeBytes: number;
  heapUsedAfterBytes: number;
  ms: number;
}

export class IdleCollector {
  private timer?: NodeJS.Timeout;
  private mark: EventLoopUtilization = performance.eventLoopUtilization();
  private heapUsedAfterLast = getHeapStatistics().used_heap_size;

  constructor(
    private readonly gc: () => void,
    private readonly policy: IdleCollectionPolicy = IDLE_COLLECTION_POLICY,
    private readonly onCollected: (c: Collected) => void = () => undefined,
  ) {}

  start(everyMs = 2_000): void {
    this.timer = setInterval(() => this.tick(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Looks at the window since the last tick; collects when it was quiet after growth. */
  tick(): Collected | null {
    const utilization = performance.eventLoopUtilization(this.mark).utilization;
    this.mark = performance.eventLoopUtilization();
    const heapUsedBytes = getHeapStatistics().used_heap_size;
    if (!shouldCollect({ utilization, heapUsedBytes, heapUsedAfterLastBytes: this.heapUsedAfterLast }, this.policy)) return null;
    const began = performance.now();
    this.gc();
    const collected = { heapUsedBeforeBytes: heapUsedBytes, heapUsedAfterBytes: getHeapStatistics().used_heap_size, ms: performance.now() - began };
    this.heapUsedAfterLast = collected.heapUsedAfterBytes;
    // The collection itself must not count as work in the next window.
    this.mark = performance.eventLoopUtilization();
    this.onCollected(collected);
    return collected;
  }
}
