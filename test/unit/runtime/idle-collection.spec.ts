import fc from 'fast-check';
import { getHeapStatistics } from 'node:v8';
import { fullCollection, IDLE_COLLECTION_POLICY, IdleCollector, shouldCollect } from '../../../src/runtime/idle-collection';

const MIB = 1024 * 1024;

describe('shouldCollect', () => {
  it('collects only when quiet and after enough growth', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(1_000 * MIB), fc.nat(1_000 * MIB), (utilization, used, after) => {
        const decided = shouldCollect({ utilization, heapUsedBytes: used, heapUsedAfterLastBytes: after }, IDLE_COLLECTION_POLICY);
        expect(decided).toBe(utilization < IDLE_COLLECTION_POLICY.quietUtilization && used - after >= IDLE_COLLECTION_POLICY.minGrowthBytes);
      }),
    );
  });

  it('never collects while the loop is busy, however much garbage there is', () => {
    expect(shouldCollect({ utilization: 0.5, heapUsedBytes: 2_000 * MIB, heapUsedAfterLastBytes: 0 }, IDLE_COLLECTION_POLICY)).toBe(false);
    expect(shouldCollect({ utilization: 0.01, heapUsedBytes: 100 * MIB, heapUsedAfterLastBytes: 50 * MIB }, IDLE_COLLECTION_POLICY)).toBe(false);
    expect(shouldCollect({ utilization: 0.01, heapUsedBytes: 120 * MIB, heapUsedAfterLastBytes: 50 * MIB }, IDLE_COLLECTION_POLICY)).toBe(true);
  });
});

describe('IdleCollector, with this process’s own collector', () => {
  it('gives back a burst’s garbage once the loop is quiet, once', async () => {
    const gc = fullCollection();
    expect(gc).toBeDefined();
    const collected: number[] = [];
    const collector = new IdleCollector(gc!, IDLE_COLLECTION_POLICY, (c) => collected.push(c.heapUsedBeforeBytes - c.heapUsedAfterBytes));
    // A burst: about 150 MiB of objects that outlive several scavenges (so they reach the old
    // generation), then dropped. With no allocation after it nothing else collects them.
    let burst: { i: number; s: string }[][] | null = [];
    for (let b = 0; b < 30; b++) burst.push(Array.from({ length: 50_000 }, (_, i) => ({ i, s: `item-${b}-${i}` })));
    const retained = getHeapStatistics().used_heap_size;
    burst = null;
    expect(collector.tick()).toBeNull(); // the window of the burst itself was busy
    await new Promise((r) => setTimeout(r, 300));
    const c = collector.tick();
    expect(c).not.toBeNull();
    expect(c!.heapUsedAfterBytes).toBeLessThan(retained - 100 * MIB);
    await new Promise((r) => setTimeout(r, 300));
    expect(collector.tick()).toBeNull(); // nothing grew since
    expect(collected).toHaveLength(1);
  });
});
