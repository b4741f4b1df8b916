// `npm run chaos`: proves (or disproves) that faults become pauses, not failures. See
// docs/chaos.md. Exit code: 0 every invariant held; 1 an invariant was violated; 2 bad
// options; 3 the run itself could not be carried out (setup failed, interrupted: 130).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CleanupStack } from '../harness/cleanup-stack';
import { parseChaosOptions, type ChaosOptions } from './chaos-options';
import { reportText } from './chaos-report';
import { runChaos } from './chaos-run';

const out = (line = '') => process.stdout.write(`${line}\n`);

function main(): void {
  let options: ChaosOptions;
  try {
    options = parseChaosOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const cleanup = new CleanupStack();
  const report = (m: string) => process.stderr.write(`${m}\n`);
  const abort = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) return;
    abort.abort();
    out(`\n${signal}: stopping the chaos run and cleaning up...`);
    void cleanup.run(report).finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  runChaos(options, cleanup, abort.signal, out).then(
    async (result) => {
      await cleanup.run(report);
      const text = reportText(result);
      out(text);
      if (options.json) writeFileSync(options.json, JSON.stringify(result, null, 2));
      if (result.logDir && existsSync(result.logDir)) {
        writeFileSync(join(result.logDir, 'report.txt'), text);
        writeFileSync(join(result.logDir, 'result.json'), JSON.stringify(result, null, 2));
      }
      process.exit(result.ok ? 0 : 1);
    },
    async (err: Error) => {
      if (abort.signal.aborted) return; // the interrupt handler cleans up and exits
      process.stderr.write(`\nChaos run could not be carried out: ${'retriable' in err ? err.message : err.stack}\n`);
      await cleanup.run(report);
      process.exit(3);
    },
  );
}

main();
