// What `npm run chaos` prints at the end (and writes with --json): the faults as they
// happened, the sagas' outcomes, compensations by cause, the measures, and every
// invariant with its figure.
import type { ChaosOptions } from './chaos-options';
import { sumOf } from './compensation-causes';
import { secs, stamp } from './fault-injector';
import { describeFault, type ScheduledFault } from './fault-schedule';
import type { ChaosFigures, Invariant } from './invariants';
import type { ChaosMeasures, Spread } from './measures';

export interface ChaosResult {
  runId: string;
  options: ChaosOptions;
  schedule: ScheduledFault[];
  figures: ChaosFigures;
  measures: ChaosMeasures;
  invariants: Invariant[];
  /** Violated invariants, each "name: figure". */
  violations: string[];
  ok: boolean;
  /** Where the run's logs stay; null when the run passed and deleted its directory. */
  logDir: string | null;
}

export function scheduleText(schedule: ScheduledFault[], seed: number): string {
  if (schedule.length === 0) return 'Fault schedule: none';
  return [`Fault schedule (seed ${seed}):`, ...schedule.map((f) => `${stamp(f.atMs)}  ${f.kind.padEnd(17)} ${describeFault(f)}`)].join('\n');
}

const row = (label: string, value: string) => `  ${label.padEnd(30)} ${value}`;
const fmtSpread = (s: Spread) => (s.n === 0 ? 'n/a' : `median ${secs(s.median)}, max ${secs(s.max)}${s.notReached ? `, ${s.notReached} of ${s.n} not reached` : ''}`);
const breakdown = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

export function reportText(r: ChaosResult): string {
  const { figures: f, measures: m } = r;
  const c = f.counts;
  const lines: string[] = ['', 'Faults as injected'];
  if (f.faults.length === 0) lines.push('  none');
  for (const x of f.faults) {
    const parts = [`${stamp(x.atMs)}  ${x.kind.padEnd(17)} ${x.target.padEnd(14)}`];
    if (x.error) parts.push(`ERROR ${x.error}`);
    if (x.healthMs !== undefined) parts.push(`/health ${secs(x.healthMs)}, ready ${secs(x.readyMs)}`);
    else if (x.readyMs !== undefined) parts.push(`consuming again ${secs(x.readyMs)}`);
    if (x.outageMs !== undefined) parts.push(`down ${secs(x.outageMs)}`);
    if (x.kind === 'postgres-restart') parts.push(`restart took ${secs(x.actionMs)}`);
    if (x.caughtUpMs !== undefined) parts.push(`${x.kind === 'payments-kill' ? 'commands handled again' : 'replies applied again'} ${secs(x.caughtUpMs)}`);
    lines.push(parts.join('  '));
  }
  const comp = f.compensations;
  lines.push(
    '',
    'Sagas',
    `  orders submitted     ${f.load.submitted}   (accepted ${f.load.accepted}: ${f.load.viaStartTopic} on the start topic, ${f.load.viaRest} by POST /v1/sagas; ${f.load.retried} needed retries)`,
    `  completed            ${c.COMPLETED}`,
    `  compensated          ${c.COMPENSATED}`,
    `  FAILED               ${c.FAILED}${m.escalations.length ? `   (${m.escalations.map((e) => `${e.step} ${e.reason} ${e.n}`).join(', ')})` : ''}`,
    `  still running        ${c.RUNNING + c.COMPENSATING}`,
    '',
    `Compensations by cause (${comp.total} sagas compensated or began to; ${comp.escalated} of them escalated to FAILED while compensating)`,
    `  business failure     ${sumOf(comp.business)}${Object.keys(comp.business).length ? `   (${breakdown(comp.business)})` : ''}`,
    `  deliberate flakiness ${comp.flakiness}`,
    `  retries exhausted    ${sumOf(comp.retriesExhausted)}${Object.keys(comp.retriesExhausted).length ? `   (${breakdown(comp.retriesExhausted)})` : ''}`,
    `  other                ${sumOf(comp.other)}${Object.keys(comp.other).length ? `   (${breakdown(comp.other)})` : ''}`,
    '',
    'Measures',
    row('load', `${secs(m.loadMs)}; every saga ended ${m.settledMs === null ? 'not within --max-wait-s' : `${secs(m.settledMs)} after the first order`}`),
    row('attempts timed out', String(m.attemptsTimedOut)),
    row('longest with no reply applied', m.longestReplyGap ? `${secs(m.longestReplyGap.ms)} (from t+${(m.longestReplyGap.fromMs / 1000).toFixed(1)}s)` : 'n/a'),
    row('coordinator kill → /health', fmtSpread(m.coordinatorHealth)),
    row('coordinator kill → ready', fmtSpread(m.coordinatorReady)),
    row('coordinator kill → replies', `${fmtSpread(m.coordinatorRepliesCaughtUp)}   (until every reply written in the second after the kill was applied)`),
    row('null compensations', String(m.nullCompensations)),
  );
  const lagging = m.consumerLag.filter((l) => l.messages !== 0);
  lines.push(
    row(
      'consumers at the end',
      lagging.length === 0
        ? 'every group had consumed everything'
        : lagging.map((l) => `${l.group} on ${l.topic}: ${l.messages === null ? 'unknown' : `${l.messages} unconsumed on partitions ${l.partitions.join(', ')}`}`).join('; '),
    ),
  );
  if (f.crashes.length > 0) {
    lines.push('', 'Processes that exited on their own');
    for (const crash of f.crashes) {
      lines.push(`  ${crash.service} at ${new Date(crash.at).toISOString()} (${crash.signal ?? `exit code ${crash.code}`}); its last lines:`);
      for (const l of crash.lastLines.slice(-10)) lines.push(`    | ${l.length > 300 ? `${l.slice(0, 300)}…` : l}`);
    }
  }
  lines.push('', 'Invariants');
  for (const inv of r.invariants) lines.push(`  ${inv.ok ? 'ok  ' : 'FAIL'}  ${inv.name}: ${inv.figure}`);
  lines.push('');
  const logs = r.logDir ? ` Logs: ${r.logDir}` : '';
  lines.push(r.ok ? `Chaos run OK: every invariant held.${logs}` : `Chaos run FAILED: ${r.violations.length} invariants violated.${logs}`);
  return lines.join('\n');
}

/** The progress line printed while the run goes. */
export function progressLine(elapsedMs: number, p: { submitted: number; total: number; accepted: number; counts: ChaosFigures['counts'] | undefined; faults: number; scheduled: number; crashes: number }): string {
  const c = p.counts;
  const sagas = c ? `running ${c.RUNNING + c.COMPENSATING}  completed ${c.COMPLETED}  compensated ${c.COMPENSATED}  FAILED ${c.FAILED}` : 'sagas: (database not answering)';
  return `${stamp(elapsedMs)}  submitted ${p.submitted}/${p.total} (accepted ${p.accepted})  ${sagas}  faults ${p.faults}/${p.scheduled}  crashes ${p.crashes}`;
}
