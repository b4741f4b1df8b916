// The sweep's plot as a self-contained SVG: throughput over concurrency on top, latency
// p50/p99 (log scale) below, concurrency on a log scale. Written by hand: a chart
// library would be a heavy dependency for two line charts.
export interface SweepPoint {
  concurrency: number;
  sagasPerSecond: number;
  p50: number;
  p99: number;
}

const WIDTH = 720;
const PANEL_HEIGHT = 260;
const LEFT = 80;
const RIGHT = 30;
const TOP = 50;
const GAP = 70;

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** Round tick values covering [0, max] for a linear axis. */
export function linearTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** 1-2-5 tick values covering [min, max] for a log axis; decades only when that would be more than 8 ticks. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.max(min, 1e-3);
  const ticks: { v: number; decade: boolean }[] = [];
  for (let e = Math.floor(Math.log10(lo)); 10 ** e <= max; e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo / 2 && v <= max * 2) ticks.push({ v, decade: m === 1 });
    }
  }
  const top = Number((10 ** Math.ceil(Math.log10(max))).toPrecision(12));
  if (!ticks.some((t) => t.v >= max)) ticks.push({ v: top, decade: true });
  return (ticks.length > 8 ? ticks.filter((t) => t.decade || t.v >= max) : ticks).map((t) => t.v);
}

const fmt = (v: number) => (v >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3))));

export function sweepSvg(points: SweepPoint[], title: string): string {
  const sorted = [...points].sort((a, b) => a.concurrency - b.concurrency);
  const plotW = WIDTH - LEFT - RIGHT;
  // Points stay clear of the frame so their markers and labels are not cut.
  const PAD = 28;
  const cMin = sorted[0]?.concurrency ?? 1;
  const cMax = sorted[sorted.length - 1]?.concurrency ?? 1;
  const xLog = (c: number) => (cMax === cMin ? LEFT + plotW / 2 : LEFT + PAD + ((Math.log(c) - Math.log(cMin)) / (Math.log(cMax) - Math.log(cMin))) * (plotW - 2 * PAD));
  const out: string[] = [];
  const height = TOP + 2 * PANEL_HEIGHT + GAP + 60;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);

  const panel = (top: number, yLabel: string, ticks: number[], y: (v: number) => number, series: { name: string; colour: string; values: number[]; labelBelow?: boolean }[]) => {
    const bottom = top + PANEL_HEIGHT;
    out.push(`<rect x="${LEFT}" y="${top}" width="${plotW}" height="${PANEL_HEIGHT}" fill="none" stroke="#888"/>`);
    for (const t of ticks) {
      const ty = y(t);
      if (ty < top - 0.5 || ty > bottom + 0.5) continue;
      out.push(`<line x1="${LEFT}" y1="${ty.toFixed(1)}" x2="${LEFT + plotW}" y2="${ty.toFixed(1)}" stroke="#e4e4e4"/>`);
      out.push(`<text x="${LEFT - 6}" y="${(ty + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
    }
    for (const p of sorted) {
      const x = xLog(p.concurrency).toFixed(1);
      out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#f0f0f0"/>`);
      out.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle">${p.concurrency}</text>`);
    }
    out.push(`<text x="18" y="${top + PANEL_HEIGHT / 2}" text-anchor="middle" transform="rotate(-90 18 ${top + PANEL_HEIGHT / 2})">${escapeXml(yLabel)}</text>`);
    out.push(`<text x="${LEFT + plotW / 2}" y="${bottom + 34}" text-anchor="middle">sagas in flight (log scale)</text>`);
    series.forEach((s, n) => {
      const coords = sorted.map((p, i) => `${xLog(p.concurrency).toFixed(1)},${y(s.values[i]).toFixed(1)}`);
      out.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${coords.join(' ')}"/>`);
      sorted.forEach((p, i) => {
        const [cx, cy] = coords[i].split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${s.colour}"><title>${escapeXml(`${s.name} at ${p.concurrency}: ${s.values[i]}`)}</title></circle>`);
        out.push(`<text x="${cx}" y="${Number(cy) + (s.labelBelow ? 15 : -7)}" text-anchor="middle" font-size="10" fill="${s.colour}">${fmt(s.values[i])}</text>`);
      });
      const lx = LEFT + 12 + n * 150;
      out.push(`<line x1="${lx}" y1="${top + 14}" x2="${lx + 20}" y2="${top + 14}" stroke="${s.colour}" stroke-width="2"/>`);
      out.push(`<text x="${lx + 26}" y="${top + 18}">${escapeXml(s.name)}</text>`);
    });
  };

  const tMax = Math.max(...sorted.map((p) => p.sagasPerSecond), 0);
  const tTicks = linearTicks(tMax);
  const tTop = tTicks[tTicks.length - 1];
  panel(TOP, 'completed sagas/s', tTicks, (v) => TOP + PANEL_HEIGHT - (v / tTop) * PANEL_HEIGHT, [{ name: 'throughput', colour: '#1f6fb4', values: sorted.map((p) => p.sagasPerSecond) }]);

  const lTop = TOP + PANEL_HEIGHT + GAP;
  const lValues = sorted.flatMap((p) => [p.p50, p.p99]).filter((v) => v > 0);
  const lMin = lValues.length > 0 ? Math.min(...lValues) : 1;
  const lMax = Math.max(...lValues, lMin * 10);
  const lTicks = logTicks(lMin, lMax);
  // A little room below the lowest and above the highest point, so neither sits on the frame.
  const lo = Math.min(Math.log10(lTicks[0]), Math.log10(lMin) - 0.12);
  const hi = Math.max(Math.log10(lTicks[lTicks.length - 1]), Math.log10(lMax) + 0.08);
  const yLatency = (v: number) => lTop + PANEL_HEIGHT - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo || 1)) * PANEL_HEIGHT;
  panel(lTop, 'latency, ms (log scale)', lTicks, yLatency, [
    { name: 'p50', colour: '#2a9d3a', values: sorted.map((p) => p.p50), labelBelow: true },
    { name: 'p99', colour: '#c2382b', values: sorted.map((p) => p.p99) },
  ]);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
