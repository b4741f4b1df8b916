// Where a saga's latency goes: per hop (between two consecutive points of its timeline)
// and per owner (driver, Kafka delivery, coordinator, participant), p50/p99/mean over the
// measured sagas, and each one's share of the mean end-to-end latency (means add up,
// percentiles do not).
import { summarize } from './latency-stats';
import type { HopOwner, TimelinePoint } from './saga-timelines';

export interface HopFigure {
  /** "from → to" for a hop, the owner's name for an owner total. */
  name: string;
  owner: HopOwner;
  p50: number;
  p99: number;
  mean: number;
  /** Percent of the mean end-to-end latency. */
  sharePercent: number;
}

export interface HopBreakdown {
  /** Sagas whose timeline was used. */
  sagas: number;
  /** Measured sagas left out: a point was missing, or their timeline had another shape (e.g. a retried step). */
  leftOut: number;
  endToEnd: { p50: number; p99: number; mean: number };
  hops: HopFigure[];
  owners: HopFigure[];
}

const OWNERS: HopOwner[] = ['driver', 'kafka', 'coordinator', 'participant'];

const shapeOf = (t: TimelinePoint[]) => t.map((p) => p.label).join('\n');

export function hopBreakdown(timelines: TimelinePoint[][], alreadyLeftOut = 0): HopBreakdown | null {
  // Only timelines of the most common shape are comparable hop by hop.
  const shapes = new Map<string, TimelinePoint[][]>();
  for (const t of timelines) {
    const list = shapes.get(shapeOf(t)) ?? [];
    list.push(t);
    shapes.set(shapeOf(t), list);
  }
  const used = [...shapes.values()].sort((a, b) => b.length - a.length)[0];
  if (!used || used[0].length < 2) return null;
  const points = used[0];
  const endToEnd = summarize(used.map((t) => t[t.length - 1].at - t[0].at));
  const figure = (name: string, owner: HopOwner, durations: number[]): HopFigure => {
    const s = summarize(durations);
    return { name, owner, p50: round(s.p50), p99: round(s.p99), mean: round(s.mean), sharePercent: endToEnd.mean > 0 ? round((s.mean / endToEnd.mean) * 100) : 0 };
  };
  const hops = points.slice(1).map((p, h) => figure(`${points[h].label} → ${p.label}`, p.owner, used.map((t) => t[h + 1].at - t[h].at)));
  const owners = OWNERS.filter((o) => points.some((p, h) => h > 0 && p.owner === o)).map((o) =>
    figure(
      o,
      o,
      used.map((t) => t.reduce((sum, p, h) => (h > 0 && p.owner === o ? sum + p.at - t[h - 1].at : sum), 0)),
    ),
  );
  return { sagas: used.length, leftOut: alreadyLeftOut + timelines.length - used.length, endToEnd: { p50: round(endToEnd.p50), p99: round(endToEnd.p99), mean: round(endToEnd.mean) }, hops, owners };
}

const round = (n: number) => Math.round(n * 10) / 10;
