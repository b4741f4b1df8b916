// Every setting the coordinator reads is in the README's configuration table, with the
// default the code uses: a new variable, or a changed default, cannot go undocumented.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../../src/config/app-config';

function readmeTable(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4) continue;
    for (const name of cells[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)) rows.set(name[1], cells[2]);
  }
  return rows;
}

describe('the README configuration table', () => {
  const documented = readmeTable();
  const defaults = new AppConfig() as unknown as Record<string, unknown>;

  it('lists every variable with a default, and that default', () => {
    const names = Object.keys(defaults).filter((k) => /^[A-Z][A-Z0-9_]+$/.test(k));
    expect(names.length).toBeGreaterThan(25);
    const wrong = names.filter((name) => {
      const cell = documented.get(name);
      const value = defaults[name];
      return cell === undefined || (value !== undefined && !cell.includes(`\`${String(value)}\``));
    });
    expect(wrong).toEqual([]);
  });

  it('lists the variables that have no default', () => {
    for (const name of ['API_KEYS', 'KAFKA_CONSUMER_GROUP', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) expect(documented.has(name)).toBe(true);
  });
});
