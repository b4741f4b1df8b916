// Linux /proc, read from outside the measured processes: CPU ticks, memory, parent
// links and listening sockets. The parsers are pure (unit-tested on captured text);
// the readers return undefined where /proc or the process is not there.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** Clock ticks (CLK_TCK) spent by the process itself. */
  utime: number;
  stime: number;
  /** Clock ticks of its children that exited and were waited for. */
  cutime: number;
  cstime: number;
}

/** Parses /proc/PID/stat. The command name may hold spaces and parentheses: fields resume after the last ')'. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/PID/stat line: ${text.slice(0, 80)}`);
  // After ')': state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime cutime cstime
  const f = text.slice(close + 2).trim().split(/\s+/);
  return { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
}

export interface ProcMemory {
  /** Resident set size now, KiB. */
  rssKb: number;
  /** Peak resident set size over the process's life (VmHWM), KiB. */
  hwmKb: number;
}

/** Parses the VmRSS and VmHWM lines of /proc/PID/status (absent for kernel threads: 0). */
export function parseStatusMemory(text: string): ProcMemory {
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

/** Parses the Pss line of /proc/PID/smaps_rollup, KiB: shared pages divided among the processes that map them. */
export function parsePssKb(text: string): number | undefined {
  const m = /^Pss:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Socket inodes in LISTEN state on `port`, from the text of /proc/net/tcp or /proc/net/tcp6. */
export function listeningInodes(procNetTcp: string, port: number): number[] {
  const inodes: number[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const localPort = parseInt(f[1].split(':').pop() ?? '', 16);
    if (localPort === port && f[3] === '0A') inodes.push(Number(f[9]));
  }
  return inodes;
}

/** Busy clock ticks of the whole machine (all CPUs: user, nice, system, irq, softirq, steal) from the `cpu` line of /proc/stat. */
export function parseMachineBusyTicks(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq + (steal || 0);
}

/** Microseconds during which some runnable task waited for a CPU, from the `some` line of /proc/pressure/cpu. */
export function parseCpuPressureMicros(text: string): number | undefined {
  const m = /^some .*total=(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function readStat(pid: number): ProcStat | undefined {
  const text = read(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(text);
}

/** The command line, arguments separated by spaces ('' when gone); PostgreSQL backends show their database there. */
export function readCmdline(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ');
}

export function readMemory(pid: number): ProcMemory | undefined {
  const text = read(`/proc/${pid}/status`);
  return text === undefined ? undefined : parseStatusMemory(text);
}

export function readPssKb(pid: number): number | undefined {
  const text = read(`/proc/${pid}/smaps_rollup`);
  return text === undefined ? undefined : parsePssKb(text);
}

/** Every process's stat now (processes that vanish while being read are skipped). */
export function readAllStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const stats: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) stats.push(s);
  }
  return stats;
}

/** The process that listens on TCP `port` on this machine (the Kafka broker, the postmaster), or undefined. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set([...listeningInodes(read('/proc/net/tcp') ?? '', port), ...listeningInodes(read('/proc/net/tcp6') ?? '', port)]);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${name}/fd/${fd}`))) return Number(name);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

export function readMachineBusyTicks(): number | undefined {
  const text = read('/proc/stat');
  return text === undefined ? undefined : parseMachineBusyTicks(text);
}

export function readCpuPressureMicros(): number | undefined {
  const text = read('/proc/pressure/cpu');
  return text === undefined ? undefined : parseCpuPressureMicros(text);
}
