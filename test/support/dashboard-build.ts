// Builds the dashboard bundle the coordinator serves under /ui, as `npm run build` does,
// so a test on a fresh clone never depends on an earlier build.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export function buildDashboard(): void {
  execFileSync(process.execPath, [join(ROOT, 'packages', 'dashboard', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

/** Path of Debian's Chromium, installed by test/support/ensure-chromium when missing. */
export function ensureChromium(): string {
  return execFileSync(join(__dirname, 'ensure-chromium'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000 }).trim();
}
