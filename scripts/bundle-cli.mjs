#!/usr/bin/env node
// Bundles the built CLI (packages/cli/dist, the output of `tsc -b`) into packages/cli/bundle/.
//
// Why: Node 20 loads ES modules one file at a time, and a `sata` command touches about 150
// of them (our packages and yargs); resolving and linking those was most of a small run's
// start-up (profiled: 0.29 s of a 0.36 s `sata layer --gemm 8,8,8`, against 0.08 s for a bare
// `node -e 0`). One file per command, with esbuild's code splitting keeping each command's
// modules (and jsfive, yaml, msgpackr) in chunks loaded only when that command runs, brings
// that within 2x of a bare node. The packages stay separately built libraries in dist/; only
// the executable is bundled.
//
// Every module keeps its own `import.meta.url` (rewritten to its path in dist/, relative to
// the bundle), so that what a module finds beside itself (hw's arch/ specs, snn's digits
// data, the sweep's worker scripts, `createRequire` of lazily loaded libraries) is found
// exactly as in the unbundled build.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'packages', 'cli', 'bundle');

/** Our compiled modules: everything under a workspace's dist/ (not node_modules). */
function isWorkspaceModule(path) {
  const rel = relative(ROOT, path);
  return !rel.startsWith('..') && !rel.split(sep).includes('node_modules') && rel.split(sep).includes('dist');
}

const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!isWorkspaceModule(args.path)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      // Every chunk lands in OUT, so the module's original place is a fixed path from there.
      const fromBundle = relative(OUT, args.path).split(sep).join('/');
      const own = `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', `(${own})`), loader: 'js' };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'packages/cli/dist/main.js' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Libraries loaded with createRequire (yaml, msgpackr, jsfive) are not bundled: they load
  // lazily from node_modules. h5wasm (NIR writing, 5.7 MB with its WebAssembly) stays there too.
  packages: 'bundle',
  external: ['h5wasm', 'h5wasm/*'],
  // CommonJS dependencies (yaml) call require(), which an ES module does not have.
  banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  // Smaller text compiles faster; keepNames keeps class and function names (messages and
  // stack traces name them). SATA_BUNDLE_MINIFY=0 gives readable code for profiling.
  minify: process.env.SATA_BUNDLE_MINIFY !== '0',
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [ownImportMetaUrl],
});

// What the bundle was made from: the bin (packages/cli/bin/sata.js) runs the unbundled
// dist/main.js instead when any of these was rebuilt after the bundle (a `tsc -b` alone).
const projects = [...new Set(Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules') && p.includes('/dist/')).map((p) => p.split('/dist/')[0]))]
  .map((p) => `${p}/tsconfig.tsbuildinfo`)
  .sort();
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'built-from.json'), `${JSON.stringify({ buildInfo: projects.map((p) => relative(OUT, join(ROOT, p)).split(sep).join('/')) }, null, 1)}\n`);
// esbuild's metafile: which modules each chunk holds (what a command loads, for start-up work).
writeFileSync(join(OUT, 'meta.json'), JSON.stringify(result.metafile));
const files = readdirSync(OUT).filter((f) => f.endsWith('.js'));
process.stderr.write(`bundle: ${files.length} files in ${relative(ROOT, OUT)}/ from ${Object.keys(result.metafile.inputs).length} modules of ${projects.length} projects\n`);
