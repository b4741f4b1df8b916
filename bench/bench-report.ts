// The bench's printed report: the summary of a run, its process groups, its per-hop
// breakdown, and a sweep's table. Plain text tables, aligned by column.
import type { BenchResult } from './bench-run';
import { PROCESS_GROUPS } from './bench-run';
import type { HopFigure } from './hop-breakdown';

/** Left-aligns the first column and right-aligns the others. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const ms = (n: number) => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : 'n/a');

export function summaryTable(r: BenchResult): string {
  const o = r.options;
  const rows: [string, string][] = [
    ['sagas measured', `${r.measured} (${r.completed} completed, ${r.compensated} compensated, ${r.failed} failed), after ${o.warmup} warm-up`],
    ['shape', `${o.steps} steps, ${o.concurrency} in flight, ${o.partitions} partitions, ${o.replicas} coordinator(s)`],
    ['throughput', `${r.sagasPerSecond} completed sagas/s over ${r.seconds} s`],
    ['latency p50 / p95 / p99', `${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99} ms (max ${r.latencyMs.max})`],
    ['load average', `${r.loadAverage.before.join(' ')} before, ${r.loadAverage.after.join(' ')} after`],
    ['machine', r.machine ? `${r.machine.busyPercentOfOneCore}% of one core busy, ${r.machine.outsideGroupsPercentOfOneCore}% outside the groups below; CPU pressure ${r.machine.cpuPressurePercent ?? 'n/a'}%` : 'n/a (no /proc)'],
    ...(r.replicaKill
      ? ([['replica killed', `coordinator-1 SIGKILLed ${r.replicaKill.killedAtSecond ?? 'never'} s into the window; steps advanced twice: ${r.replicaKill.stepsAdvancedTwice}`]] as [string, string][])
      : []),
    ...(r.waiting
      ? ([['sagas waiting', `${r.waiting.sagas} taken up in ${r.waiting.secondsToTakeUp} s; coordinator RSS then ${r.waiting.coordinatorRssMb} MiB (peak over its life ${r.waiting.coordinatorPeakRssMb} MiB, V8 heap in use ${r.waiting.coordinatorHeapUsedMb ?? 'n/a'} MiB)`]] as [string, string][])
      : []),
    ['logs', r.logDir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

const GROUP_LABELS: Record<(typeof PROCESS_GROUPS)[number], string> = {
  coordinator: 'coordinator',
  participants: 'participants',
  driver: 'driver',
  kafka: 'kafka (whole broker)',
  postgres: 'postgres (whole server)',
  postgresThisRun: "  of which this run's backends",
};

export function processTable(r: BenchResult): string {
  const rows = PROCESS_GROUPS.map((name) => {
    const g = r.processes[name];
    if (!g) return [GROUP_LABELS[name], 'not found', '', '', '', '', ''];
    return [GROUP_LABELS[name], String(g.processes), String(g.cpuMsPerSaga), String(g.cpuSeconds), `${g.cpuPercentOfOneCore}%`, String(g.peakRssMb), String(g.peakPssMb)];
  });
  return textTable(['process group', 'processes', 'CPU ms/saga', 'CPU s', '% of a core', 'peak RSS MiB', 'peak PSS MiB'], rows);
}

export function hopTable(r: BenchResult): string {
  const h = r.hops;
  if (!h) return '  (no complete saga timeline: per-hop breakdown not available)';
  const row = (f: HopFigure) => [f.name, f.owner, ms(f.p50), ms(f.p99), ms(f.mean), `${f.sharePercent}%`];
  return [
    `  ${h.sagas} sagas${h.leftOut > 0 ? ` (${h.leftOut} left out: incomplete or differently shaped timelines)` : ''}; end to end p50 ${ms(h.endToEnd.p50)} ms, p99 ${ms(h.endToEnd.p99)} ms, mean ${ms(h.endToEnd.mean)} ms`,
    textTable(['hop', 'spent in', 'p50 ms', 'p99 ms', 'mean ms', 'of mean'], h.hops.map(row)),
    '',
    textTable(['spent in (sum of its hops per saga)', '', 'p50 ms', 'p99 ms', 'mean ms', 'of mean'], h.owners.map(row)),
  ].join('\n');
}

export function sweepTable(results: BenchResult[]): string {
  const cpu = (r: BenchResult, g: (typeof PROCESS_GROUPS)[number]) => (r.processes[g] ? String(r.processes[g]!.cpuMsPerSaga) : 'n/a');
  return textTable(
    ['in flight', 'sagas/s', 'p50 ms', 'p95 ms', 'p99 ms', 'coord ms/saga', 'partic ms/saga', 'driver ms/saga', 'kafka ms/saga', 'pg ms/saga', 'pg run ms/saga', 'load avg', 'other CPU %'],
    results.map((r) => [
      String(r.options.concurrency),
      String(r.sagasPerSecond),
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p95),
      ms(r.latencyMs.p99),
      cpu(r, 'coordinator'),
      cpu(r, 'participants'),
      cpu(r, 'driver'),
      cpu(r, 'kafka'),
      cpu(r, 'postgres'),
      cpu(r, 'postgresThisRun'),
      String(r.loadAverage.after[0]),
      r.machine ? String(r.machine.outsideGroupsPercentOfOneCore) : 'n/a',
    ]),
  );
}
