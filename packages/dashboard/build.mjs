// Builds the operator dashboard into packages/dashboard/dist: one minified, content-hashed
// script and stylesheet under assets/, and index.html naming them. No CDN, no web font:
// the page works offline. The coordinator serves the result under /ui (src/ui/).
//
//   node packages/dashboard/build.mjs           build once (npm run build:dashboard)
//   node packages/dashboard/build.mjs --watch   rebuild on every change (reload the page)
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, 'dist');
const watch = process.argv.includes('--watch');

/** Writes index.html from the template once esbuild knows the hashed file names. */
const writeIndex = {
  name: 'write-index',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length > 0 || !result.metafile) return;
      const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
      const script = outputs.find((n) => n.endsWith('.js'));
      const style = outputs.find((n) => n.endsWith('.css'));
      if (!script || !style) throw new Error(`dashboard build: expected a .js and a .css output, got ${outputs.join(', ')}`);
      const template = await readFile(join(here, 'index.html'), 'utf8');
      const html = template.replace('%SCRIPT%', `./assets/${script}`).replace('%STYLE%', `./assets/${style}`);
      await writeFile(join(outdir, 'index.html'), html);
      if (watch) process.stdout.write(`dashboard rebuilt: ${script} ${style}\n`);
    });
  },
};

/** @type {esbuild.BuildOptions} */
const options = {
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: !watch,
  sourcemap: true,
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  format: 'esm',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: watch ? 'info' : 'warning',
  plugins: [writeIndex],
};

await rm(outdir, { recursive: true, force: true });
await mkdir(join(outdir, 'assets'), { recursive: true });
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  const result = await esbuild.build(options);
  const sizes = Object.entries(result.metafile.outputs)
    .filter(([p]) => /\.(js|css)$/.test(p))
    .map(([p, o]) => `${basename(p)} ${(o.bytes / 1024).toFixed(1)} KiB`);
  process.stdout.write(`dashboard built into ${relative(process.cwd(), outdir)}: ${sizes.join(', ')}\n`);
}
