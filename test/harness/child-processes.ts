// Child processes of a run (the demo's and the benchmark's coordinator and participants):
// started with their output going to a log file, watched for a readiness line, and always
// stopped — SIGTERM first, SIGKILL for whatever has not exited after a grace period —
// also when the run itself is interrupted.
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ChildSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** A line of its standard output that means it is ready. */
  readyLine?: RegExp;
}

interface Child {
  spec: ChildSpec;
  process: ChildProcess;
  log: WriteStream;
  tail: string[];
  ready: boolean;
  exited: Promise<number | null>;
  stopping: boolean;
}

export class ChildProcesses {
  private readonly children: Child[] = [];
  private readonly listeners: ((name: string, code: number | null) => void)[] = [];

  constructor(
    private readonly cwd: string,
    readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Called when a child exits that was not asked to stop. */
  onUnexpectedExit(listener: (name: string, code: number | null) => void): void {
    this.listeners.push(listener);
  }

  start(spec: ChildSpec): void {
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`));
    const proc = spawn(process.execPath, spec.args, { cwd: this.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const child: Child = { spec, process: proc, log, tail: [], ready: false, exited: Promise.resolve(null), stopping: false };
    child.exited = new Promise((resolve) =>
      proc.once('exit', (code) => {
        if (!child.stopping) for (const l of this.listeners) l(spec.name, code);
        resolve(code);
      }),
    );
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        child.tail.push(line);
        if (child.tail.length > 20) child.tail.shift();
        if (spec.readyLine?.test(line)) child.ready = true;
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    this.children.push(child);
  }

  isReady(name: string): boolean {
    return this.children.some((c) => c.spec.name === name && c.ready);
  }

  /** The last lines a child printed, to explain a failure. */
  tail(name: string): string {
    return this.children.find((c) => c.spec.name === name)?.tail.join('\n') ?? '';
  }

  pid(name: string): number | undefined {
    return this.children.find((c) => c.spec.name === name)?.process.pid;
  }

  /** Stops the named child (SIGTERM, SIGKILL after the grace period) and waits for it to exit. */
  async stop(name: string, graceMs = 10_000): Promise<void> {
    const child = this.children.find((c) => c.spec.name === name);
    if (child) await this.terminate(child, graceMs);
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all(this.children.map((c) => this.terminate(c, graceMs)));
    await Promise.all(this.children.map((c) => new Promise<void>((resolve) => c.log.end(resolve))));
  }

  private async terminate(c: Child, graceMs: number): Promise<void> {
    if (c.process.exitCode !== null || c.process.signalCode !== null) return;
    c.stopping = true;
    c.process.kill('SIGTERM');
    const timer = setTimeout(() => c.process.kill('SIGKILL'), graceMs);
    await c.exited;
    clearTimeout(timer);
  }

  /** SIGKILLs the named child on purpose (a crash test): it does not count as an unexpected exit. */
  async kill(name: string): Promise<void> {
    const c = this.children.find((x) => x.spec.name === name);
    if (!c || c.process.exitCode !== null || c.process.signalCode !== null) return;
    c.stopping = true;
    c.process.kill('SIGKILL');
    await c.exited;
  }

  /** Last resort on process exit: synchronous, no waiting. */
  killAllNow(): void {
    for (const c of this.children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
  }
}
