// Loads the application's code in slices, yielding to the event loop between them, so that
// the HTTP port bound before (see starting-answers.ts) answers /health while Node reads
// some two thousand files. One require of the whole application blocks the event loop for
// its full duration: 0.7 s on an idle machine of this kind, several seconds on a busy one.
// The order only sizes the slices; a module missing from it is loaded later all the same.
import { createRequire } from 'node:module';

/** Modules as `from` resolves them: these are our dependencies' dependencies, not ours. */
const requireFrom = (from: string) => createRequire(require.resolve(from));

/** Loads some modules (what it returns, a promise or not, is awaited). */
type Slice = () => unknown;

/** The configuration's validator, loaded before main.ts validates the configuration. */
const CONFIG_SLICES: readonly Slice[] = [
  () => import('class-transformer'),
  () => requireFrom('class-validator')('libphonenumber-js/max'),
  () => requireFrom('class-validator')('validator'),
  () => import('class-validator'),
  () => import('./config/app-config'),
];

/**
 * Leaves first, so that no slice is much longer than the longest single package (about
 * 35 ms idle, measured with a require-time hook): a slice's length is how long a /health
 * request waits on a busy machine, several times its idle figure.
 */
const APPLICATION_SLICES: readonly Slice[] = [
  () => import('rxjs'),
  () => import('rxjs/operators'),
  () => requireFrom('@nestjs/platform-express')('body-parser'),
  () => requireFrom('@nestjs/platform-express')('express'),
  () => import('@nestjs/common'),
  () => import('@nestjs/core'),
  () => import('@nestjs/platform-express'),
  () => import('@nestjs/swagger'),
  () => import('kafkajs'),
  () => import('pg'),
  () => import('ajv'),
  () => import('@opentelemetry/api'),
  () => import('@opentelemetry/core'),
  () => import('prom-client'),
  () => import('pino'),
  () => import('nestjs-pino'),
  () => import('@nestjs/terminus'),
  () => import('@saga-coordinator/participant/protocol'),
  () => import('@saga-coordinator/participant'),
  () => import('./observability/observability.module'),
  () => import('./coordinator/coordinator.module'),
  () => import('./api/api.module'),
  () => import('./bootstrap'),
];

/**
 * A request that arrived during a slice needs two turns of the loop (one to accept the
 * connection, one to read and answer it); a third is slack. Each turn passes the poll phase
 * once: setImmediate runs in the check phase that follows it.
 */
const TURNS_PER_YIELD = 3;

async function yieldToEventLoop(): Promise<void> {
  for (let turn = 0; turn < TURNS_PER_YIELD; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function loadInSlices(slices: readonly Slice[]): Promise<void> {
  for (const load of slices) {
    await yieldToEventLoop();
    await load();
  }
}

export function preloadConfigValidation(): Promise<void> {
  return loadInSlices(CONFIG_SLICES);
}

export function preloadApplication(): Promise<void> {
  return loadInSlices(APPLICATION_SLICES);
}
