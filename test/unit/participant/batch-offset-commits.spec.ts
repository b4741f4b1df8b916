import fc from 'fast-check';
import { BatchOffsetCommits } from '../../../packages/participant/src/kafka/batch-offset-commits';
import type { PartitionOffset } from '@saga-coordinator/participant/kafka';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A broker stand-in: records every commit request, refuses the ones `refuse` picks, never two at once. */
function recordingSend(refuse: (n: number) => boolean = () => false) {
  const requests: { offsets: PartitionOffset[]; refused: boolean }[] = [];
  let inFlight = 0;
  let overlapped = false;
  const send = async (offsets: PartitionOffset[]) => {
    inFlight++;
    if (inFlight > 1) overlapped = true;
    await sleep(1);
    inFlight--;
    const refused = refuse(requests.length);
    requests.push({ offsets, refused });
    if (refused) throw new Error('REBALANCE_IN_PROGRESS');
  };
  const committed = () => {
    const last = new Map<string, bigint>();
    for (const r of requests) if (!r.refused) for (const o of r.offsets) last.set(`${o.topic}/${o.partition}`, BigInt(o.offset));
    return last;
  };
  return { send, requests, committed, overlapped: () => overlapped };
}

describe('BatchOffsetCommits', () => {
  it('sends one request for a burst of batches within the interval, carrying each partition past its newest batch', async () => {
    const broker = recordingSend();
    const commits = new BatchOffsetCommits(30, broker.send);
    for (let offset = 0; offset < 100; offset++) commits.finishedBatch('commands', offset % 3, String(offset));
    await sleep(60);
    expect(broker.requests).toHaveLength(1);
    expect(broker.committed()).toEqual(new Map([['commands/0', 100n], ['commands/1', 98n], ['commands/2', 99n]]));
  });

  it('commits a lone batch at once when nothing was committed within the interval, and the next one no sooner than the interval after', async () => {
    const broker = recordingSend();
    const commits = new BatchOffsetCommits(80, broker.send);
    commits.finishedBatch('commands', 0, '7');
    await sleep(20);
    expect(broker.committed().get('commands/0')).toBe(8n);
    commits.finishedBatch('commands', 0, '8');
    await sleep(20);
    expect(broker.requests).toHaveLength(1);
    await sleep(80);
    expect(broker.requests).toHaveLength(2);
    expect(broker.committed().get('commands/0')).toBe(9n);
  });

  it('commits again after a refusal, without being told, so an idle partition is not left behind', async () => {
    const broker = recordingSend((n) => n === 0);
    const commits = new BatchOffsetCommits(0, broker.send);
    commits.finishedBatch('commands', 2, '41');
    await sleep(1_200);
    expect(broker.requests.map((r) => r.refused)).toEqual([true, false]);
    expect(broker.committed().get('commands/2')).toBe(42n);
  });

  it('flush commits what finished and stops scheduling', async () => {
    const broker = recordingSend();
    const commits = new BatchOffsetCommits(10_000, broker.send);
    commits.finishedBatch('commands', 0, '1');
    await sleep(10);
    commits.finishedBatch('commands', 0, '5');
    await commits.flush();
    expect(broker.committed().get('commands/0')).toBe(6n);
    commits.finishedBatch('commands', 0, '9');
    await sleep(20);
    expect(broker.committed().get('commands/0')).toBe(6n);
  });

  it('never moves a partition back, never sends two requests at once, and ends at the newest batch of every partition (any order, any refusals)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 40 }),
        fc.func(fc.boolean()),
        fc.integer({ min: 0, max: 5 }),
        async (batches, refuses, intervalMs) => {
          let requestsSoFar = 0;
          const broker = recordingSend((n) => n < 4 && refuses(n));
          const commits = new BatchOffsetCommits(
            intervalMs,
            async (o) => {
              requestsSoFar++;
              await broker.send(o);
            },
            5,
          );
          const newest = new Map<string, bigint>();
          for (const [partition, offset, pauseMs] of batches) {
            commits.finishedBatch('replies', partition, String(offset));
            const key = `replies/${partition}`;
            if ((newest.get(key) ?? -1n) < BigInt(offset) + 1n) newest.set(key, BigInt(offset) + 1n);
            if (pauseMs > 0) await sleep(pauseMs);
          }
          // Past the refusals' retry: every refusal is followed by a successful commit.
          const deadline = Date.now() + 2_000;
          while (Date.now() < deadline && (broker.requests.length < requestsSoFar || [...newest].some(([k, v]) => broker.committed().get(k) !== v))) await sleep(5);
          await commits.flush();
          expect(broker.overlapped()).toBe(false);
          expect(broker.committed()).toEqual(newest);
          const seen = new Map<string, bigint>();
          for (const r of broker.requests.filter((q) => !q.refused)) {
            for (const o of r.offsets) {
              const key = `${o.topic}/${o.partition}`;
              expect(BigInt(o.offset)).toBeGreaterThanOrEqual(seen.get(key) ?? 0n);
              seen.set(key, BigInt(o.offset));
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});
