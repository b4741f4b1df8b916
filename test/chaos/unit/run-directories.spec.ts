import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunDirectory, markKept, pruneRunDirectories } from '../run-directories';

describe('chaos run directories', () => {
  let base: string;
  beforeEach(() => (base = mkdtempSync(join(tmpdir(), 'chaos-dirs-'))));
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  /** A directory left by a run that is over (its owner pid cannot be alive). */
  function finishedRun(name: string, ageS: number): string {
    const d = join(base, name);
    mkdirSync(join(d, 'logs'), { recursive: true });
    writeFileSync(join(d, 'owner.pid'), '2147483646');
    const t = Date.now() / 1000 - ageS;
    utimesSync(d, t, t);
    return d;
  }

  it('keeps the newest runs, those kept with --keep and the one running now; deletes the rest', () => {
    const old = [finishedRun('a', 500), finishedRun('b', 400), finishedRun('c', 300)];
    const recent = [finishedRun('d', 200), finishedRun('e', 100)];
    const kept = finishedRun('f', 900);
    markKept(kept);
    const running = createRunDirectory(base, 'g');
    utimesSync(running, 1, 1);
    expect(pruneRunDirectories(base, 2).sort()).toEqual(old.sort());
    for (const d of [...recent, kept, running]) expect(existsSync(d)).toBe(true);
    for (const d of old) expect(existsSync(d)).toBe(false);
  });

  it('leaves a process alone whose pid a stale file names but that does not serve the directory', () => {
    const d = finishedRun('h', 10);
    mkdirSync(join(d, 'kafka'));
    writeFileSync(join(d, 'kafka', 'broker.pid'), String(process.pid)); // this jest worker: must survive
    expect(pruneRunDirectories(base, 0)).toEqual([d]);
  });
});
