// Every metric the coordinator registers is documented in docs/observability.md, so an
// operator can look up what a series means (and a new metric cannot ship undocumented).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinatorMetrics } from '../../src/observability/coordinator-metrics';
import { Participant } from '@saga-coordinator/participant';

const doc = readFileSync(join(__dirname, '../../docs/observability.md'), 'utf8');

describe('docs/observability.md', () => {
  it('documents every metric the coordinator registers', async () => {
    const names = (await new CoordinatorMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    const ours = names.filter((n) => !n.startsWith('process_') && !n.startsWith('nodejs_'));
    expect(ours.length).toBeGreaterThan(20);
    expect(ours.filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
    // The default process metrics are documented as a group.
    expect(names.some((n) => n.startsWith('process_'))).toBe(true);
    expect(doc).toContain('`process_*`, `nodejs_*`');
  });

  it("documents every metric of the participant SDK's registry", async () => {
    const registry = new Participant({ name: 'docs', kafka: { brokers: ['127.0.0.1:9092'] } }).metrics as unknown as { getMetricsAsJSON(): Promise<{ name: string }[]> };
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.length).toBe(5);
    expect(names.filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });
});
