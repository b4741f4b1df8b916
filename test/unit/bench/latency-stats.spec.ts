import { percentile, summarize } from '../../../bench/latency-stats';

describe('latency stats', () => {
  it('uses nearest rank: p50 of 1..100 is 50, p99 is 99, p100 is the max', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100), percentile(sorted, 0)]).toEqual([50, 99, 100, 1]);
  });

  it('summarizes unsorted input without changing it', () => {
    const input = [30, 10, 20];
    expect(summarize(input)).toEqual({ count: 3, p50: 20, p95: 30, p99: 30, max: 30, mean: 20 });
    expect(input).toEqual([30, 10, 20]);
  });

  it('says NaN, not 0, when there is nothing to summarize', () => {
    expect(summarize([])).toMatchObject({ count: 0, p50: NaN, max: NaN });
  });
});
