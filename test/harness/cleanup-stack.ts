// Undo actions registered as a run (the demo, the benchmark) acquires resources, run once
// in reverse order, whether the run ends, fails or is interrupted. A failing action does not stop the others.
export class CleanupStack {
  private readonly actions: { what: string; run: () => Promise<void> }[] = [];
  private running?: Promise<void>;

  push(what: string, run: () => Promise<void>): void {
    this.actions.push({ what, run });
  }

  run(report: (message: string) => void): Promise<void> {
    this.running ??= (async () => {
      for (const action of this.actions.reverse()) {
        try {
          await action.run();
        } catch (err) {
          report(`  cleanup: ${action.what} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}
