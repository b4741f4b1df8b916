import { escapeXml, linearTicks, logTicks, sweepSvg } from '../../../bench/sweep-plot';

/** Tags open and close in order (a small well-formedness check: the SVG is written by hand). */
function balanced(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) return false;
  }
  return stack.length === 0;
}

describe('sweep plot', () => {
  const points = [
    { concurrency: 1, sagasPerSecond: 14.2, p50: 70, p99: 344 },
    { concurrency: 16, sagasPerSecond: 51.8, p50: 300, p99: 700 },
    { concurrency: 1024, sagasPerSecond: 90.3, p50: 11000, p99: 20000 },
  ];

  it('draws one throughput line and the p50 and p99 lines, one marker per point', () => {
    const svg = sweepSvg(points, 'a <title> & more');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(balanced(svg)).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(9);
    expect(svg).toContain('a &lt;title&gt; &amp; more');
    for (const label of ['completed sagas/s', 'latency, ms (log scale)', 'p50', 'p99', '>1024<']) expect(svg).toContain(label);
  });

  it('puts a larger throughput higher and concurrency left to right', () => {
    const svg = sweepSvg(points, 't');
    const throughput = /<polyline fill="none" stroke="#1f6fb4"[^>]*points="([^"]+)"/.exec(svg)![1].split(' ').map((p) => p.split(',').map(Number));
    expect(throughput.map(([x]) => x)).toEqual([...throughput.map(([x]) => x)].sort((a, b) => a - b));
    expect(throughput[2][1]).toBeLessThan(throughput[0][1]);
  });

  it('draws a single point without dividing by zero', () => {
    const svg = sweepSvg([points[0]], 'one');
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(balanced(svg)).toBe(true);
  });

  it('chooses round ticks', () => {
    expect(linearTicks(90.3)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(linearTicks(0)).toEqual([0, 1]);
    expect(logTicks(70, 344)).toEqual([50, 100, 200, 500]);
    expect(logTicks(14, 20000)).toEqual([10, 100, 1000, 10000, 20000]);
  });

  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
