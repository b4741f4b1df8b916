// A background loop shared by the outbox relay and the timer poller: run one unit of
// work; when it reported a full batch, go again at once; otherwise sleep until the
// idle interval passes or someone calls wake(). A wake that arrives while the work runs
// is remembered, so a notification is never lost between two sleeps.

export interface WorkLoopOptions {
  /** Sleep after a unit of work that did not fill its batch. */
  idleMs: number;
  /** Sleep after a unit of work that threw. @default 1000 */
  errorDelayMs?: number;
  onError?: (err: Error) => void;
}

export class WorkLoop {
  private running = false;
  private loop?: Promise<void>;
  private pendingWake = false;
  private interruptSleep?: () => void;

  /** `work` returns true when it filled its batch, i.e. there is probably more to do right away. */
  constructor(
    private readonly work: () => Promise<boolean>,
    private readonly options: WorkLoopOptions,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the current sleep (or the next one, if the work is running now). */
  wake(): void {
    this.pendingWake = true;
    this.interruptSleep?.();
  }

  /** Lets the running unit of work finish, then returns. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let full: boolean;
      try {
        full = await this.work();
      } catch (err) {
        this.options.onError?.(err as Error);
        await this.sleep(this.options.errorDelayMs ?? 1000);
        continue;
      }
      if (!full) await this.sleep(this.options.idleMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // Both endings clear the callback: a wake() during the next unit of work must set
      // pendingWake, not be swallowed by the callback of a sleep that is already over.
      const done = () => {
        clearTimeout(timer);
        this.interruptSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = () => {
        this.pendingWake = false;
        done();
      };
    });
  }
}
