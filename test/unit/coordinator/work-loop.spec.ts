import { WorkLoop } from '../../../src/coordinator/work-loop';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WorkLoop', () => {
  it('runs again at once for a wake that arrives while the work runs, also after a sleep that ended by its timer', async () => {
    const runs: number[] = [];
    const t0 = Date.now();
    const loop: WorkLoop = new WorkLoop(
      async () => {
        runs.push(Date.now() - t0);
        // The second unit of work (after an idle sleep that timed out) is woken while it runs.
        if (runs.length === 2) {
          loop.wake();
          await tick(20);
        }
        return false;
      },
      { idleMs: 100 },
    );
    loop.start();
    await tick(400);
    await loop.stop();
    // Run 3 follows run 2 at once (about 20 ms later), not after a full idle interval of 100 ms.
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs[2] - runs[1]).toBeLessThan(80);
  });

  it('sleeps the idle interval when nothing wakes it, and goes again at once after a full batch', async () => {
    const runs: number[] = [];
    const t0 = Date.now();
    const loop = new WorkLoop(async () => {
      runs.push(Date.now() - t0);
      return runs.length < 3;
    }, { idleMs: 150 });
    loop.start();
    await tick(250);
    await loop.stop();
    expect(runs[2] - runs[0]).toBeLessThan(60);
    expect(runs.length).toBe(4);
    expect(runs[3] - runs[2]).toBeGreaterThanOrEqual(140);
  });

  it('reports a failing unit of work and keeps going after the error delay', async () => {
    const errors: string[] = [];
    let n = 0;
    const loop = new WorkLoop(async () => {
      n += 1;
      if (n === 1) throw new Error('boom');
      return false;
    }, { idleMs: 1_000, errorDelayMs: 30, onError: (e) => errors.push(e.message) });
    loop.start();
    await tick(120);
    await loop.stop();
    expect(errors).toEqual(['boom']);
    expect(n).toBe(2);
  });
});
