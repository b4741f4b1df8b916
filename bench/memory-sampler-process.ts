// The bench's memory sampler, a process of its own so that reading /proc does not stall
// the driver: started before the warm-up, it samples the process groups given in
// BENCH_METER_GROUPS (JSON) every second from SIGUSR2 (the window's start) on, and on
// SIGTERM takes a last sample and writes the groups' peaks to BENCH_METER_FILE.
import { writeFileSync } from 'node:fs';
import { MEMORY_SAMPLER_READY_LINE, MemorySampler, type ProcessGroup } from './process-groups';

const groups = JSON.parse(process.env.BENCH_METER_GROUPS ?? '[]') as ProcessGroup[];
const file = process.env.BENCH_METER_FILE;
if (!file) throw new Error('BENCH_METER_FILE must be set (the bench sets it)');
const sampler = new MemorySampler(groups);
let timer: NodeJS.Timeout | undefined;
// Signal handlers alone do not keep Node running until SIGUSR2 comes.
const idle = setInterval(() => undefined, 60_000);
process.on('SIGUSR2', () => {
  sampler.sample();
  timer ??= setInterval(() => sampler.sample(), 1_000);
});
process.on('SIGTERM', () => {
  clearInterval(timer);
  clearInterval(idle);
  if (timer) sampler.sample();
  writeFileSync(file, JSON.stringify(sampler.peaks));
  process.exit(0);
});
process.stdout.write(`${MEMORY_SAMPLER_READY_LINE}\n`);
