import { FAULT_KINDS, faultSchedule } from '../fault-schedule';

const counts = { 'coordinator-kill': 5, 'payments-kill': 3, 'broker-term': 1, 'broker-kill': 1, 'postgres-restart': 1 };

describe('the fault schedule', () => {
  it('holds exactly the faults asked for, in time order, within the middle of the load', () => {
    const s = faultSchedule({ counts, loadMs: 200_000, replicas: 3, seed: 42 });
    for (const kind of FAULT_KINDS) expect(s.filter((f) => f.kind === kind)).toHaveLength(counts[kind]);
    const times = s.map((f) => f.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(20_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(180_000);
  });

  it('spreads faults out: consecutive faults are at least half a slot apart', () => {
    const s = faultSchedule({ counts, loadMs: 200_000, replicas: 3, seed: 9 });
    const slot = (200_000 * 0.8) / s.length;
    for (let i = 1; i < s.length; i++) expect(s[i].atMs - s[i - 1].atMs).toBeGreaterThanOrEqual(slot / 2 - 1);
  });

  it('is a function of the seed', () => {
    const a = faultSchedule({ counts, loadMs: 60_000, replicas: 3, seed: 1 });
    expect(faultSchedule({ counts, loadMs: 60_000, replicas: 3, seed: 1 })).toEqual(a);
    expect(faultSchedule({ counts, loadMs: 60_000, replicas: 3, seed: 2 })).not.toEqual(a);
  });

  it('names a replica for every coordinator kill, and only for those', () => {
    const s = faultSchedule({ counts, loadMs: 60_000, replicas: 2, seed: 3 });
    for (const f of s) {
      if (f.kind === 'coordinator-kill') expect([0, 1]).toContain(f.replica);
      else expect(f.replica).toBeNull();
    }
  });

  it('is empty without faults', () => {
    expect(faultSchedule({ counts: { ...counts, 'coordinator-kill': 0, 'payments-kill': 0, 'broker-term': 0, 'broker-kill': 0, 'postgres-restart': 0 }, loadMs: 1000, replicas: 1, seed: 1 })).toEqual([]);
  });
});
