#!/usr/bin/env node
/**
 * The README on a fresh clone, as a new user meets it: clones this repository's committed
 * HEAD into a temporary folder, runs `npm ci` and `npm start` there (the README's two
 * commands), then every command line of the README's "Using it" blocks, in order (later
 * lines read files earlier ones wrote), each of which must exit 0. Run by .ci/run; by hand:
 * `node test/e2e/readme-fresh-clone.mjs` (about two minutes; needs the npm registry or cache).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const log = (line) => process.stderr.write(`${line}\n`);

/** Command lines of the README's sh blocks after the "## Using it" heading (comments stripped by the shell). */
export function readmeCommands(markdown) {
  const using = markdown.slice(markdown.indexOf('## Using it'));
  const blocks = [...using.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((b) => b.split('\n')).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function run(cwd, line) {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', line], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    log(`FAILED (exit ${r.status}, ${seconds} s): ${line}\n${r.stderr.toString().slice(-4000)}`);
    return false;
  }
  log(`ok (${seconds} s): ${line}`);
  return true;
}

const dir = mkdtempSync(join(tmpdir(), 'sata-readme-'));
const clone = join(dir, 'sata');
let failed = 0;
try {
  execFileSync('git', ['clone', '--quiet', repo, clone], { stdio: 'inherit' });
  const commands = readmeCommands(readFileSync(join(clone, 'README.md'), 'utf8'));
  if (commands.length < 10) throw new Error(`found only ${commands.length} README command lines: has the README's layout changed?`);
  for (const line of ['npm ci --no-audit --no-fund --prefer-offline', 'npm start', ...commands]) {
    if (!run(clone, line)) failed++;
    if (failed && line.startsWith('npm')) break; // nothing after an install or build failure can work
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed) {
  log(`${failed} README command(s) failed on a fresh clone`);
  process.exit(1);
}
log('every README command works on a fresh clone');
