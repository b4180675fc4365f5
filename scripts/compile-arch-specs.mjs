#!/usr/bin/env node
// Parses the architecture spec files this build ships (every workspace's arch/*.yaml) with
// the same parser the simulator uses, and writes them to packages/hw/dist/arch-documents.json,
// keyed by their exact text (packages/hw/src/arch/precompiled.ts says why and how it is read).
// Run by `npm run build` after `tsc -b`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from '@sata/core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'packages', 'hw', 'dist', 'arch-documents.json');

const files = [];
for (const workspaces of ['packages', 'plugins']) {
  for (const ws of readdirSync(join(ROOT, workspaces)).sort()) {
    const dir = join(ROOT, workspaces, ws, 'arch');
    let names = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue; // no arch/ folder
    }
    for (const n of names.sort()) if (/\.ya?ml$/i.test(n)) files.push(join(dir, n));
  }
}
const entries = files.map((path) => {
  const text = readFileSync(path, 'utf8');
  return { file: relative(ROOT, path), text, json: JSON.stringify(parseDocument(text, path)) };
});
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(entries, null, 1)}\n`);
process.stderr.write(`arch specs: ${entries.length} precompiled into ${relative(ROOT, OUT)} (${entries.map((e) => e.file).join(', ')})\n`);
