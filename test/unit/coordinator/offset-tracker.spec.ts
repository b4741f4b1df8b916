import { OffsetTracker } from '../../../src/coordinator/offset-tracker';

describe('OffsetTracker', () => {
  it('moves a partition only past batches that are done with none unfinished before them', () => {
    const t = new OffsetTracker();
    const first = t.begin('replies', 0, '9');
    const second = t.begin('replies', 0, '19');
    second();
    expect(t.committable()).toEqual([]);
    first();
    expect(t.committable()).toEqual([{ topic: 'replies', partition: 0, offset: '20' }]);
    expect(t.committable()).toEqual([]);
    expect(t.unfinished).toBe(0);
  });

  it('keeps partitions apart', () => {
    const t = new OffsetTracker();
    const a = t.begin('replies', 0, '4');
    t.begin('replies', 1, '7');
    a();
    expect(t.committable()).toEqual([{ topic: 'replies', partition: 0, offset: '5' }]);
    expect(t.unfinished).toBe(1);
  });
});

describe('OffsetTracker.restore (a commit that failed)', () => {
  it('makes the offsets committable again, unless the partition moved further meanwhile', () => {
    const t = new OffsetTracker();
    t.begin('replies', 0, '9')();
    t.begin('start', 2, '3')();
    const failed = t.committable();
    t.begin('replies', 0, '14')();
    t.restore(failed);
    expect(t.committable()).toEqual([
      { topic: 'replies', partition: 0, offset: '15' },
      { topic: 'start', partition: 2, offset: '4' },
    ]);
    expect(t.committable()).toEqual([]);
  });
});
