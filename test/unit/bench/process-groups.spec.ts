import { groupMembers, groupTicks } from '../../../bench/process-groups';
import type { ProcStat } from '../../../bench/proc-stats';

const stat = (pid: number, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0): ProcStat => ({ pid, comm: 'x', ppid, utime, stime, cutime, cstime });

describe('process groups', () => {
  const postmaster = { name: 'postgres', pids: [10], withChildren: true };
  const coordinators = { name: 'coordinator', pids: [20, 21], withChildren: false };

  it('takes the roots, and their children only when asked', () => {
    const stats = [stat(10, 1, 0, 0), stat(11, 10, 0, 0), stat(12, 10, 0, 0), stat(20, 5, 0, 0), stat(21, 5, 0, 0), stat(22, 20, 0, 0), stat(30, 1, 0, 0)];
    expect(groupMembers(stats, postmaster).map((s) => s.pid)).toEqual([10, 11, 12]);
    expect(groupMembers(stats, coordinators).map((s) => s.pid)).toEqual([20, 21]);
  });

  it("counts a root's exited children through its cutime/cstime, so a backend that exits in the window keeps its time", () => {
    // Start: the postmaster and two backends. End: backend 12 has exited (its 40 ticks moved to the
    // postmaster's cutime/cstime) and backend 13 started. The difference is what the backends used.
    const start = [stat(10, 1, 100, 50, 1000, 500), stat(11, 10, 10, 5), stat(12, 10, 20, 10)];
    const end = [stat(10, 1, 101, 50, 1025, 515), stat(11, 10, 15, 7), stat(13, 10, 3, 1)];
    // postmaster +1, backend 11 +7, backend 12: 30 at start, 40 at exit (+10), backend 13 +4.
    expect(groupTicks(end, postmaster) - groupTicks(start, postmaster)).toBe(1 + 7 + 10 + 4);
  });

  it("ignores children's time where the group does not include children", () => {
    expect(groupTicks([stat(20, 5, 7, 3, 100, 100), stat(21, 5, 1, 1)], coordinators)).toBe(12);
  });

  it("takes only the children that name one of the run's databases, without the root or exited children", () => {
    const ours = { name: 'postgresThisRun', pids: [10], withChildren: true, onlyChildrenNaming: [' run_db '] };
    const cmdline = (pid: number) => ({ 11: 'postgres: 15/main: postgres run_db 127.0.0.1(5000) idle', 12: 'postgres: 15/main: postgres other_db 127.0.0.1(5001) idle', 13: 'postgres: 15/main: walwriter' })[pid] ?? '';
    const stats = [stat(10, 1, 100, 50, 1000, 500), stat(11, 10, 10, 5), stat(12, 10, 20, 10), stat(13, 10, 7, 7)];
    expect(groupMembers(stats, ours, cmdline).map((s) => s.pid)).toEqual([11]);
    expect(groupTicks(stats, ours, cmdline)).toBe(15);
  });
});
