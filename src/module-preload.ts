// Loads the application's code in slices, yielding to the event loop between them, so that
// the HTTP port bound before (see starting-answers.ts) answers /health while Node reads
// some two thousand files. One require of the whole application blocks the event loop for
// its full duration: 0.7 s on an idle machine of this kind, several seconds on a busy one.
// The order only sizes the slices; a module missing from it is loaded later all the same.

/** Heaviest first, each a few tenths of the total, measured with a require-time hook. */
const SLICES: readonly (() => Promise<unknown>)[] = [
  () => import('@nestjs/common'),
  () => import('@nestjs/core'),
  () => import('@nestjs/platform-express'),
  () => import('@nestjs/swagger'),
  () => import('class-validator'),
  () => import('kafkajs'),
  () => import('pg'),
  () => import('@saga-coordinator/participant'),
  () => import('nestjs-pino'),
  () => import('@nestjs/terminus'),
  () => import('./observability/observability.module'),
  () => import('./coordinator/coordinator.module'),
  () => import('./api/api.module'),
  () => import('./bootstrap'),
];

export async function preloadApplication(): Promise<void> {
  for (const load of SLICES) {
    await load();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
