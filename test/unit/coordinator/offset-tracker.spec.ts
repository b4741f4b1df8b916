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
