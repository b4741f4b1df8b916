// Where the built dashboard lives and how its files are sent. The bundle is built by
// `npm run build` (packages/dashboard/build.mjs) into packages/dashboard/dist, outside
// dist/ because `nest build` and `nest start` empty dist/ first. This file sits two
// levels below the package root both as src/ui/*.ts and as dist/ui/*.js, so one relative
// path finds the bundle in the source tree, the built tree and the Docker image.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DASHBOARD_DIR = resolve(__dirname, '..', '..', 'packages', 'dashboard', 'dist');

/** Injection token of the folder the dashboard is served from (DASHBOARD_DIR; another folder in tests). */
export const DASHBOARD_FILES = Symbol('DASHBOARD_FILES');

export const DASHBOARD_INDEX = 'index.html';

/** Bundled asset names: content-hashed, flat, so nothing else (no path, no dotfile) is ever served. */
export const ASSET_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(js|css|map|svg|png|woff2)$/;

export function dashboardBuilt(dir: string): boolean {
  return existsSync(join(dir, DASHBOARD_INDEX));
}

/**
 * The page loads only its own scripts and styles and talks only to this origin: an
 * injected script could otherwise read the API key from sessionStorage and send it away.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // index.html names the hashed bundles: revalidate it so a new build is picked up at once.
  'Cache-Control': 'no-cache',
});

/** Hashed names change with their content, so browsers may keep them for good. */
export const ASSET_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'public, max-age=31536000, immutable',
});
