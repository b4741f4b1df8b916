import { hopBreakdown } from '../../../bench/hop-breakdown';
import type { HopOwner, TimelinePoint } from '../../../bench/saga-timelines';

const timeline = (...points: [string, HopOwner, number][]): TimelinePoint[] => points.map(([label, owner, at]) => ({ label, owner, at }));

describe('hop breakdown', () => {
  const a = (t0: number, d1: number, d2: number, d3: number) =>
    timeline(['queued', 'driver', t0], ['start published', 'driver', t0 + d1], ['command published', 'coordinator', t0 + d1 + d2], ['completed received', 'kafka', t0 + d1 + d2 + d3]);

  it('gives each hop its percentiles, mean and share of the mean end-to-end latency', () => {
    const b = hopBreakdown([a(1000, 1, 10, 9), a(2000, 3, 30, 7), a(5000, 2, 20, 8)])!;
    expect(b.sagas).toBe(3);
    expect(b.leftOut).toBe(0);
    expect(b.endToEnd).toEqual({ p50: 30, p99: 40, mean: 30 });
    expect(b.hops.map((h) => [h.name, h.owner, h.p50, h.p99, h.mean, h.sharePercent])).toEqual([
      ['queued → start published', 'driver', 2, 3, 2, 6.7],
      ['start published → command published', 'coordinator', 20, 30, 20, 66.7],
      ['command published → completed received', 'kafka', 8, 9, 8, 26.7],
    ]);
  });

  it("sums each owner's hops per saga", () => {
    const t = (d: number) =>
      timeline(['queued', 'driver', 0], ['command', 'coordinator', 10], ['received', 'kafka', 12], ['reply', 'participant', 15], ['next command', 'coordinator', 15 + d], ['end', 'kafka', 16 + d]);
    const b = hopBreakdown([t(10), t(20)])!;
    expect(b.owners.map((o) => [o.name, o.mean])).toEqual([
      ['kafka', 3],
      ['coordinator', 25],
      ['participant', 3],
    ]);
    expect(b.owners.reduce((s, o) => s + o.mean, 0)).toBe(b.endToEnd.mean);
  });

  it('compares only timelines of the most common shape and counts the others as left out', () => {
    const retried = timeline(['queued', 'driver', 0], ['start published', 'driver', 1], ['cause received', 'kafka', 2], ['command published', 'coordinator', 3], ['completed received', 'kafka', 4]);
    const b = hopBreakdown([a(0, 1, 1, 1), retried, a(10, 1, 2, 1)], 5)!;
    expect(b.sagas).toBe(2);
    expect(b.leftOut).toBe(6);
    expect(b.hops).toHaveLength(3);
  });

  it('has nothing to say without a timeline', () => {
    expect(hopBreakdown([])).toBeNull();
  });
});
