import { longestGap, spread } from '../measures';

describe('chaos measures', () => {
  it('finds the longest stretch without a reply, counting the edges of the window', () => {
    expect(longestGap([1_000, 2_000, 9_000, 9_500], 0, 10_000)).toEqual({ ms: 7_000, fromMs: 2_000 });
    expect(longestGap([500], 0, 10_000)).toEqual({ ms: 9_500, fromMs: 500 });
    expect(longestGap([], 100, 1_100)).toEqual({ ms: 1_000, fromMs: 0 });
    expect(longestGap([50, 5_000], 100, 1_100)).toEqual({ ms: 1_000, fromMs: 0 });
    expect(longestGap([1], 10, 10)).toBeNull();
  });

  it('gives the median and maximum of what was reached, and counts what was not', () => {
    expect(spread([3, 1, 2])).toEqual({ n: 3, notReached: 0, median: 2, max: 3 });
    expect(spread([4, null, 1, 2, 3])).toEqual({ n: 5, notReached: 1, median: 2.5, max: 4 });
    expect(spread([null, undefined])).toEqual({ n: 2, notReached: 2, median: null, max: null });
    expect(spread([])).toEqual({ n: 0, notReached: 0, median: null, max: null });
  });
});
