// What the demo prints: the progress line while sagas run, and the final summary.
import type { ConsistencyReport } from './consistency-check';

export interface StatusCounts {
  RUNNING: number;
  COMPENSATING: number;
  COMPLETED: number;
  COMPENSATED: number;
  FAILED: number;
}

export const emptyCounts = (): StatusCounts => ({ RUNNING: 0, COMPENSATING: 0, COMPLETED: 0, COMPENSATED: 0, FAILED: 0 });

export function progressLine(elapsedMs: number, submitted: number, total: number, c: StatusCounts): string {
  const ended = c.COMPLETED + c.COMPENSATED + c.FAILED;
  return (
    `  ${(elapsedMs / 1000).toFixed(1).padStart(6)}s  submitted ${String(submitted).padStart(String(total).length)}/${total}` +
    `  running ${String(c.RUNNING + c.COMPENSATING).padStart(4)}  completed ${String(c.COMPLETED).padStart(4)}` +
    `  compensated ${String(c.COMPENSATED).padStart(4)}  failed ${c.FAILED}  (${ended}/${total} ended)`
  );
}

export interface DemoSummary {
  submitted: number;
  counts: StatusCounts;
  /** Sagas that never appeared in the coordinator's database. */
  missing: number;
  elapsedMs: number;
  compensationReasons: Map<string, number>;
  timedOutAttempts: number;
  nullCompensations: number;
  consistency: ConsistencyReport;
}

export function summaryText(s: DemoSummary): string {
  const c = s.counts;
  const ended = c.COMPLETED + c.COMPENSATED + c.FAILED;
  const reasons = [...s.compensationReasons.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ');
  const lines = [
    '',
    'Summary',
    `  sagas submitted      ${s.submitted}`,
    `  completed            ${c.COMPLETED}`,
    `  compensated          ${c.COMPENSATED}${reasons ? `   (${reasons})` : ''}`,
    `  failed               ${c.FAILED}   (need an operator)`,
    `  still running        ${c.RUNNING + c.COMPENSATING + s.missing}`,
    `  time taken           ${(s.elapsedMs / 1000).toFixed(1)} s   (${(ended / Math.max(s.elapsedMs / 1000, 0.001)).toFixed(1)} sagas/s ended)`,
    `  timeouts             ${s.timedOutAttempts} attempts timed out and were retried or compensated`,
    `  null compensations   ${s.nullCompensations}   (compensations of steps that never applied, answered by the barrier)`,
    '',
    'Consistency of the business data',
  ];
  const k = s.consistency.checked;
  if (s.consistency.ok) {
    lines.push(
      `  ok  ${k.completed} completed orders: confirmed, credit captured once, stock committed once, shipped once`,
      `  ok  ${k.compensated} compensated orders: no charge, no stock reservation and no shipment left behind`,
      `  ok  credit conserved for ${k.customers} customers, stock conserved for ${k.skus} SKUs`,
    );
  } else {
    lines.push(`  FAILED: ${s.consistency.violations.length} violations`);
    for (const v of s.consistency.violations.slice(0, 20)) lines.push(`    - ${v}`);
    if (s.consistency.violations.length > 20) lines.push(`    ... and ${s.consistency.violations.length - 20} more`);
  }
  if (k.notChecked > 0) lines.push(`  (${k.notChecked} orders whose saga has not ended were only checked for conservation)`);
  return lines.join('\n');
}
