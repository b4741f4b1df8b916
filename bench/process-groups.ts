// CPU and memory of each group of processes the bench runs on (coordinators,
// participants, driver, the Kafka broker, PostgreSQL), measured from /proc over the
// measured window only: CPU as the difference of two snapshots taken by the bench,
// memory by sampling in a process of its own (reading /proc takes some 40 ms a sample
// here, which would stall the driver's event loop). A group is a set of root processes, optionally with their
// children: PostgreSQL's postmaster forks a backend per connection, so its group is the
// postmaster, its live children, and (through the postmaster's cutime/cstime) the
// children that exited during the window. The broker and PostgreSQL may be shared with
// other work on the machine; their figures then include it. A group can instead take
// only the children whose command line names one of its strings (PostgreSQL's backends
// show their database there), which leaves out others' connections.
import { CLOCK_TICKS, readAllStats, readCmdline, readCpuPressureMicros, readMachineBusyTicks, readMemory, readPssKb, type ProcStat } from './proc-stats';

export interface ProcessGroup {
  name: string;
  /** Root processes; empty when the group could not be found (e.g. a remote broker). */
  pids: number[];
  /** Count the roots' children too (and the time of children that exited). */
  withChildren: boolean;
  /**
   * Only the children whose command line contains one of these, and not the roots
   * themselves nor children that exited (their time cannot be told apart).
   */
  onlyChildrenNaming?: string[];
}

type Cmdline = (pid: number) => string;

/** The group's members among `stats`: its roots, and their children if asked. */
export function groupMembers(stats: ProcStat[], group: ProcessGroup, cmdline: Cmdline = readCmdline): ProcStat[] {
  const roots = new Set(group.pids);
  const naming = group.onlyChildrenNaming;
  if (naming) return stats.filter((s) => roots.has(s.ppid) && naming.some((n) => cmdline(s.pid).includes(n)));
  return stats.filter((s) => roots.has(s.pid) || (group.withChildren && roots.has(s.ppid)));
}

/** CPU ticks the group has used so far (user + system), children included when the group says so. */
export function groupTicks(stats: ProcStat[], group: ProcessGroup, cmdline: Cmdline = readCmdline): number {
  const roots = new Set(group.pids);
  let ticks = 0;
  for (const s of groupMembers(stats, group, cmdline)) {
    ticks += s.utime + s.stime;
    if (group.withChildren && !group.onlyChildrenNaming && roots.has(s.pid)) ticks += s.cutime + s.cstime;
  }
  return ticks;
}

export interface GroupFigures {
  processes: number;
  cpuSeconds: number;
  cpuPercentOfOneCore: number;
  /** CPU milliseconds per completed saga. */
  cpuMsPerSaga: number;
  /** The largest sum of the members' resident sets seen in the window, MiB. */
  peakRssMb: number;
  /** The same for proportional set sizes (shared pages counted once), MiB. */
  peakPssMb: number;
}

/** How busy the whole machine was in the window: what the groups' figures share the CPUs with. */
export interface MachineFigures {
  /** All CPUs' busy time, in percent of one core (200% = both cores of this box busy). */
  busyPercentOfOneCore: number;
  /** Busy time not in any group: other work on the machine (others' tests, builds) and the bench's memory sampler. */
  outsideGroupsPercentOfOneCore: number;
  /** Share of the window in which some runnable task waited for a CPU (/proc/pressure/cpu); null where PSI is off. */
  cpuPressurePercent: number | null;
}

/** The largest memory a group held in the window. */
export interface MemoryPeak {
  processes: number;
  rssKb: number;
  pssKb: number;
}

/** What bench/memory-sampler-process.ts prints once it samples. */
export const MEMORY_SAMPLER_READY_LINE = 'memory sampler ready';

/** Keeps each group's peak memory over the samples it is given. */
export class MemorySampler {
  readonly peaks: MemoryPeak[];

  constructor(readonly groups: ProcessGroup[]) {
    this.peaks = groups.map(() => ({ processes: 0, rssKb: 0, pssKb: 0 }));
  }

  sample(stats: ProcStat[] = readAllStats()): void {
    this.groups.forEach((g, i) => {
      const members = groupMembers(stats, g);
      let rss = 0;
      let pss = 0;
      for (const m of members) {
        rss += readMemory(m.pid)?.rssKb ?? 0;
        pss += readPssKb(m.pid) ?? 0;
      }
      const peak = this.peaks[i];
      peak.rssKb = Math.max(peak.rssKb, rss);
      peak.pssKb = Math.max(peak.pssKb, pss);
      peak.processes = Math.max(peak.processes, members.length);
    });
  }
}

const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;

/** CPU of the groups and of the machine between start() and end(). */
export class GroupMeter {
  private startTicks: number[] = [];
  private startedAt = 0;
  private machineTicks?: number;
  private pressureMicros?: number;
  private endStats: ProcStat[] = [];
  private endTicks: number[] = [];
  private endMachineTicks?: number;
  private endPressureMicros?: number;
  private seconds = 0;

  constructor(readonly groups: ProcessGroup[]) {}

  start(): void {
    this.startTicks = this.groups.map((g) => groupTicks(readAllStats(), g));
    this.machineTicks = readMachineBusyTicks();
    this.pressureMicros = readCpuPressureMicros();
    this.startedAt = Date.now();
  }

  /** Ends the window (the CPU snapshot); figures() then reports it. */
  end(): void {
    this.endStats = readAllStats();
    this.endTicks = this.groups.map((g) => groupTicks(this.endStats, g));
    this.endMachineTicks = readMachineBusyTicks();
    this.endPressureMicros = readCpuPressureMicros();
    this.seconds = (Date.now() - this.startedAt) / 1000;
  }

  /** `completed` sagas share the CPU used; `memory` holds the sampler's peaks, one per group. */
  figures(completed: number, memory: MemoryPeak[]): { groups: Record<string, GroupFigures | null>; machine: MachineFigures | null } {
    const { endStats: stats, endTicks: ticks, endMachineTicks: machineTicks, endPressureMicros: pressureMicros, seconds } = this;
    const groups = Object.fromEntries(
      this.groups.map((g, i) => {
        if (g.pids.length === 0) return [g.name, null];
        const cpu = (ticks[i] - this.startTicks[i]) / CLOCK_TICKS;
        const figures: GroupFigures = {
          processes: Math.max(memory[i]?.processes ?? 0, groupMembers(stats, g).length),
          cpuSeconds: round(cpu, 2),
          cpuPercentOfOneCore: round((cpu / seconds) * 100, 1),
          cpuMsPerSaga: completed > 0 ? round((cpu * 1000) / completed, 3) : 0,
          peakRssMb: round((memory[i]?.rssKb ?? 0) / 1024, 1),
          peakPssMb: round((memory[i]?.pssKb ?? 0) / 1024, 1),
        };
        return [g.name, figures];
      }),
    );
    let machine: MachineFigures | null = null;
    if (machineTicks !== undefined && this.machineTicks !== undefined) {
      const busy = (machineTicks - this.machineTicks) / CLOCK_TICKS;
      // A group of chosen children is part of another group: counting it again would count twice.
      const inGroups = ticks.reduce((sum, t, i) => (this.groups[i].onlyChildrenNaming ? sum : sum + t - this.startTicks[i]), 0) / CLOCK_TICKS;
      machine = {
        busyPercentOfOneCore: round((busy / seconds) * 100, 1),
        outsideGroupsPercentOfOneCore: round(((busy - inGroups) / seconds) * 100, 1),
        cpuPressurePercent: pressureMicros !== undefined && this.pressureMicros !== undefined ? round(((pressureMicros - this.pressureMicros) / 1e6 / seconds) * 100, 1) : null,
      };
    }
    return { groups, machine };
  }
}
