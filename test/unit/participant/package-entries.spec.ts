// The SDK package's entry points are listed in three places that must agree: package.json
// `exports` (Node, bundlers, node16 resolution), `typesVersions` (node10 resolution) and
// the repository's tsconfig `paths` (tsc, ts-jest, ts-node during development, mapped to
// the sources). An entry added to one and not the others works in one tool only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');
const PKG_DIR = 'packages/participant';
const pkg = JSON.parse(readFileSync(join(ROOT, PKG_DIR, 'package.json'), 'utf8')) as {
  name: string;
  main: string;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};
const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
const paths = config.compilerOptions.paths as Record<string, string[]>;

/** dist/x/y.js -> packages/participant/src/x/y.ts: what tsc builds it from. */
const sourceOf = (distFile: string) => `${PKG_DIR}/${distFile.replace(/^\.\//, '').replace(/^dist\//, 'src/').replace(/\.(d\.ts|js)$/, '.ts')}`;

const codeEntries = Object.entries(pkg.exports).filter((entry): entry is [string, { types: string; default: string }] => typeof entry[1] === 'object');

describe('the entry points of @saga-coordinator/participant', () => {
  it('map every exported entry to its source in tsconfig paths, and nothing else', () => {
    const expected = Object.fromEntries(codeEntries.map(([subpath, target]) => [subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, [sourceOf(target.default)]]));
    expect(Object.fromEntries(Object.entries(paths).filter(([name]) => name.startsWith(pkg.name)))).toEqual(expected);
  });

  it('declare the same types for node10 resolution (typesVersions) as for exports', () => {
    const expected = Object.fromEntries(codeEntries.filter(([subpath]) => subpath !== '.').map(([subpath, target]) => [subpath.slice(2), [target.types.replace(/^\.\//, '')]]));
    expect(pkg.typesVersions['*']).toEqual(expected);
  });

  it('pair each entry with its declarations, main and types included', () => {
    for (const [, target] of codeEntries) expect(target.types).toBe(target.default.replace(/\.js$/, '.d.ts'));
    expect(pkg.exports['.']).toEqual({ types: pkg.types, default: pkg.main });
  });
});
