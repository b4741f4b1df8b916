// A PostgreSQL cluster of one run's own: initdb into a directory under .local/, served on
// a private loopback port, so a test can restart or stop it (pg_ctl -m immediate is a
// crash) without touching the shared server. initdb and postgres refuse to run as root,
// so as root every command runs as the postgres user (as docker/infra.js does).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivatePostgresOptions {
  /** Directory of the cluster (created; holds data/, the log and the socket). */
  dir: string;
  port: number;
  /** @default 300 */
  maxConnections?: number;
}

export class PrivatePostgresError extends Error {
  readonly code = 'PRIVATE_POSTGRES_FAILED';
  readonly retriable = false;
}

/** The newest installed binary of that name: on PATH, else under /usr/lib/postgresql/<version>/bin. */
export function findPostgresBinary(name: string): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const candidate = join(base, v, 'bin', name);
      if (existsSync(candidate)) return candidate;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

const isRoot = () => process.getuid?.() === 0;

export class PrivatePostgres {
  readonly dataDir: string;
  readonly logFile: string;

  private constructor(private readonly options: PrivatePostgresOptions) {
    this.dataDir = join(options.dir, 'data');
    this.logFile = join(options.dir, 'postgres.log');
  }

  /** initdb (trust auth on loopback only) and start; the caller stops or removes it. */
  static async create(options: PrivatePostgresOptions): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(options);
    mkdirSync(options.dir, { recursive: true });
    if (isRoot()) await run('chown', ['-R', 'postgres', options.dir]);
    if (!existsSync(join(pg.dataDir, 'PG_VERSION'))) {
      await pg.pgCommand('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    }
    await pg.start();
    return pg;
  }

  get port(): number {
    return this.options.port;
  }

  /** Connection string of a database of this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.options.port}/${database}`;
  }

  async start(): Promise<void> {
    const settings = [
      `-p ${this.options.port}`,
      `-k ${this.options.dir}`,
      '-c listen_addresses=127.0.0.1',
      `-c max_connections=${this.options.maxConnections ?? 300}`,
    ].join(' ');
    await this.pgCommand('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '120', '-o', settings, 'start']);
  }

  /** `pg_ctl restart`: with `immediate` every backend is killed without a checkpoint and the server recovers from WAL, as after a crash. */
  async restart(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.pgCommand('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-m', mode, '-w', '-t', '120', 'restart']);
  }

  async stop(mode: 'immediate' | 'fast' = 'fast'): Promise<void> {
    if (!this.isRunning()) return;
    await this.pgCommand('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  /** Whether the postmaster of this data directory is alive (from its pid file). */
  isRunning(): boolean {
    const pid = this.postmasterPid();
    if (pid === undefined) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Last resort when the owning process exits: synchronous, immediate shutdown (SIGQUIT to the postmaster). */
  killNow(): void {
    const pid = this.postmasterPid();
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }

  /** Stops the server and deletes its directory. */
  async remove(): Promise<void> {
    await this.stop('immediate').catch(() => this.killNow());
    rmSync(this.options.dir, { recursive: true, force: true });
  }

  private postmasterPid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private async pgCommand(name: string, args: string[]): Promise<void> {
    const bin = findPostgresBinary(name);
    if (!bin) throw new PrivatePostgresError(`${name} not found: install PostgreSQL (e.g. apt-get install postgresql) to run a private cluster`);
    const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
    try {
      await run(cmd, argv, { timeout: 180_000 });
    } catch (err) {
      const e = err as Error & { stderr?: string; stdout?: string };
      throw new PrivatePostgresError(`${name} ${args.at(-1)} failed: ${(e.stderr || e.stdout || e.message).trim()} (log: ${this.logFile})`);
    }
  }
}
