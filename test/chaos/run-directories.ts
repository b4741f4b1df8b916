// Each chaos run works in .local/chaos/<run id>/ (PostgreSQL and Kafka data, logs). A run
// that passed deletes its directory; one that failed keeps its logs for reading. Older
// directories are pruned at the next run's start: the newest few stay, and a directory
// whose run died without cleaning up has its PostgreSQL and broker stopped first.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OWNER_FILE = 'owner.pid';
const KEPT_FILE = 'kept';

export function createRunDirectory(base: string, runId: string): string {
  const dir = join(base, runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

/** Marks a directory that --keep asked to keep: never pruned. */
export function markKept(dir: string): void {
  writeFileSync(join(dir, KEPT_FILE), new Date().toISOString());
}

/** Deletes all but the `keep` newest run directories whose run is over; kept (--keep) ones stay. Returns what it deleted. */
export function pruneRunDirectories(base: string, keep: number): string[] {
  if (!existsSync(base)) return [];
  const dirs = readdirSync(base)
    .map((name) => join(base, name))
    .filter((d) => statSync(d).isDirectory() && !existsSync(join(d, KEPT_FILE)) && !alive(pidIn(join(d, OWNER_FILE))))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const pruned = dirs.slice(keep);
  for (const d of pruned) {
    // A run killed with SIGKILL left its servers running: stop them before deleting their data.
    killIfServing(pidIn(join(d, 'postgres', 'data', 'postmaster.pid')), d, 'SIGQUIT');
    killIfServing(pidIn(join(d, 'kafka', 'broker.pid')), d, 'SIGKILL');
    rmSync(d, { recursive: true, force: true });
  }
  return pruned;
}

function pidIn(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Only a process whose command line names the directory: a pid from a stale file may belong to someone else by now. */
function killIfServing(pid: number | undefined, dir: string, signal: NodeJS.Signals): void {
  if (!alive(pid)) return;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) return;
  } catch {
    return;
  }
  process.kill(pid!, signal);
}
