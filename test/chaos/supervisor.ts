/**
 * The chaos run's process manager: it keeps every coordinator replica and participant
 * running, restarting whatever exits after a short delay (as systemd or Kubernetes
 * would), and tells the exits it caused (a fault's SIGKILL) from the ones it did not.
 * An exit it did not cause is a crash: the run reports it with the process's last lines.
 *
 * Each service logs to <logDir>/<name>.log across restarts; every incarnation starts
 * with a marker line. Children run in their own process group, so a Ctrl-C reaches only
 * the run, which then stops them in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ServiceSpec {
  name: string;
  /** Arguments of `node`. */
  args: string[];
  env: Record<string, string>;
  /** A line of its output that means it is ready; without one it counts as ready once spawned. */
  readyLine?: RegExp;
}

export interface Crash {
  service: string;
  /** Epoch ms. */
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  lastLines: string[];
}

export interface ServiceEvent {
  service: string;
  kind: 'started' | 'ready' | 'exited';
  at: number;
  pid: number;
  /** Whether the supervisor itself caused this exit (a fault or the final stop). */
  expected?: boolean;
}

interface Service {
  spec: ServiceSpec;
  log: WriteStream;
  process?: ChildProcess;
  exited?: Promise<void>;
  ready: boolean;
  /** Set before the supervisor kills it: the coming exit is expected. */
  killing: boolean;
  starts: number;
  tail: string[];
  /** Consecutive crashes of short-lived incarnations: the restart delay doubles with each. */
  crashStreak: number;
  restartTimer?: NodeJS.Timeout;
}

const TAIL_LINES = 40;
const MAX_RESTART_DELAY_MS = 10_000;
/** An incarnation that lived this long was not crash-looping. */
const STABLE_AFTER_MS = 30_000;

export class Supervisor {
  private readonly services = new Map<string, Service>();
  private readonly crashes: Crash[] = [];
  private readonly listeners: ((e: ServiceEvent) => void)[] = [];
  private stopping = false;

  constructor(
    private readonly cwd: string,
    readonly logDir: string,
    private readonly restartDelayMs: number,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  onEvent(listener: (e: ServiceEvent) => void): void {
    this.listeners.push(listener);
  }

  add(spec: ServiceSpec): void {
    if (this.services.has(spec.name)) throw new Error(`service ${spec.name} exists already`);
    const service: Service = { spec, log: createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' }), ready: false, killing: false, starts: 0, tail: [], crashStreak: 0 };
    this.services.set(spec.name, service);
    this.spawn(service);
  }

  isRunning(name: string): boolean {
    const p = this.get(name).process;
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  isReady(name: string): boolean {
    return this.isRunning(name) && this.get(name).ready;
  }

  pid(name: string): number | undefined {
    return this.isRunning(name) ? this.get(name).process?.pid : undefined;
  }

  /** Kills the service's current process with `signal` (an expected exit) and resolves once it is gone; the supervisor restarts it. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | undefined> {
    const service = this.get(name);
    if (!this.isRunning(name)) return undefined;
    const pid = service.process!.pid;
    service.killing = true;
    service.process!.kill(signal);
    await service.exited;
    return pid;
  }

  crashList(): Crash[] {
    return [...this.crashes];
  }

  /** Log file and last lines of a service, to explain a failure. */
  describe(name: string): { log: string; lastLines: string[] } {
    return { log: join(this.logDir, `${name}.log`), lastLines: [...this.get(name).tail] };
  }

  /** Stops every service (SIGTERM, then SIGKILL after `graceMs`) and restarts none. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const services = [...this.services.values()];
    for (const s of services) clearTimeout(s.restartTimer);
    await Promise.all(
      services.map(async (s) => {
        if (!this.isRunning(s.spec.name)) return;
        s.killing = true;
        s.process!.kill('SIGTERM');
        const timer = setTimeout(() => s.process?.kill('SIGKILL'), graceMs);
        await s.exited;
        clearTimeout(timer);
      }),
    );
    await Promise.all(services.map((s) => new Promise<void>((resolve) => s.log.end(resolve))));
  }

  /** Last resort on process exit: synchronous. */
  killAllNow(): void {
    this.stopping = true;
    for (const s of this.services.values()) if (this.isRunning(s.spec.name)) s.process!.kill('SIGKILL');
  }

  private get(name: string): Service {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service ${name}`);
    return s;
  }

  private spawn(service: Service): void {
    const { spec } = service;
    service.starts += 1;
    service.ready = !spec.readyLine;
    service.killing = false;
    service.log.write(`\n----- ${spec.name} start #${service.starts} at ${new Date().toISOString()} -----\n`);
    const proc = spawn(process.execPath, spec.args, { cwd: this.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    service.process = proc;
    const startedAt = Date.now();
    this.emit({ service: spec.name, kind: 'started', at: Date.now(), pid: proc.pid ?? -1 });
    let partial = '';
    const onData = (chunk: Buffer) => {
      service.log.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        service.tail.push(line);
        if (service.tail.length > TAIL_LINES) service.tail.shift();
        if (!service.ready && spec.readyLine?.test(line)) {
          service.ready = true;
          this.emit({ service: spec.name, kind: 'ready', at: Date.now(), pid: proc.pid ?? -1 });
        }
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    service.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        const expected = service.killing || this.stopping;
        const at = Date.now();
        service.log.write(`----- ${spec.name} exited (code ${code}, signal ${signal}) at ${new Date(at).toISOString()}${expected ? '' : ' ON ITS OWN'} -----\n`);
        if (at - startedAt > STABLE_AFTER_MS) service.crashStreak = 0;
        if (!expected) {
          this.crashes.push({ service: spec.name, at, code, signal, lastLines: [...service.tail] });
          service.crashStreak += 1;
        }
        this.emit({ service: spec.name, kind: 'exited', at, pid: proc.pid ?? -1, expected });
        if (!this.stopping) {
          const delay = Math.min(this.restartDelayMs * 2 ** Math.max(0, service.crashStreak - 1), MAX_RESTART_DELAY_MS);
          service.restartTimer = setTimeout(() => {
            if (!this.stopping) this.spawn(service);
          }, delay);
        }
        resolve();
      }),
    );
  }

  private emit(e: ServiceEvent): void {
    for (const l of this.listeners) l(e);
  }
}
