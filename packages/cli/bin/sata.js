#!/usr/bin/env node
// The `sata` command. This file is committed, not built, so that `npm ci` on a fresh clone
// links node_modules/.bin/sata before the build has made dist/ (npm links a bin only if its
// target exists); it runs the built CLI.
//
// It runs the bundle (packages/cli/bundle/, made by `npm run build` from dist/; it starts
// in about half the time, see scripts/bundle-cli.mjs) unless a package was rebuilt after it
// (`tsc -b` alone), in which case the unbundled dist/main.js runs: slower, never stale.
import { existsSync, readFileSync, statSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
const bundle = new URL('../bundle/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('sata: the CLI is not built yet: run `npm run build` (or `npm start`) in the repository first\n');
  process.exit(2);
}

function bundleIsFresh() {
  try {
    const builtMs = statSync(bundle).mtimeMs;
    const { buildInfo } = JSON.parse(readFileSync(new URL('../bundle/built-from.json', import.meta.url), 'utf8'));
    return buildInfo.every((p) => statSync(new URL(p, bundle)).mtimeMs <= builtMs);
  } catch {
    return false;
  }
}

await import((bundleIsFresh() ? bundle : main).href);
