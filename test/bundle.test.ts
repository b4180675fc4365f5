import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The `sata` bin runs packages/cli/bundle/ (scripts/bundle-cli.mjs, for start-up time);
 * the bundle must be the same program as the unbundled dist/main.js. Each command below
 * runs under both and must print the same bytes and exit the same way. They touch what a
 * bundle can break: files found beside a module (the arch specs, the digits data, the
 * sweep's worker scripts), lazily required libraries (yaml, jsfive, msgpackr), and errors.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(ROOT, 'packages/cli/bundle/main.js');
const UNBUNDLED = join(ROOT, 'packages/cli/dist/main.js');
const BIN = join(ROOT, 'packages/cli/bin/sata.js');
const dir = mkdtempSync(join(tmpdir(), 'sata-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(main: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CASES: readonly (readonly string[])[] = [
  ['--version'],
  ['layer', '--gemm', '16,16,16', '--json'],
  ['layer', '--conv', '8,8,3,3,4,8,1,1', '--arch', 'sata-zero-skip', '--density', '0.2,1', '--gating', 'ifmap'],
  ['arch', 'show', 'eyeriss', '--json'],
  ['simulate', '--network', 'mlp', '--json'],
  ['simulate', '--network', 'digits-cnn', '--sparsity', 'measured', '--dataset', 'digits', '--json'],
  ['network', 'show', 'reference/nir/cnn-avgpool/model.nir', '--json'],
  ['sweep', '--runner', 'simulate', '--network', 'mlp', '--param', 'timesteps=1,2', '--jobs', '2', '--no-progress', '--json'],
  ['simulate', '--network', 'no-such-net'],
  ['layer', '--gemm', '8,8', '--json'],
];

describe('the bundled CLI', () => {
  it('is built (npm run build)', () => {
    expect(existsSync(BUNDLE), 'packages/cli/bundle/main.js is missing: run npm run build').toBe(true);
  });

  for (const args of CASES) {
    it(`prints what the unbundled CLI prints: sata ${args.join(' ')}`, () => {
      const a = run(BUNDLE, args);
      const b = run(UNBUNDLED, args);
      expect(a.status).toBe(b.status);
      expect(a.stdout).toBe(b.stdout);
      // Timings on stderr (sweep's) differ between any two runs; the rest must not.
      const timeless = (s: string): string => s.replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'T');
      expect(timeless(a.stderr)).toBe(timeless(b.stderr));
    }, 60_000);
  }

  it('writes a NIR file (h5wasm, loaded from node_modules) that reads back as the unbundled one does', () => {
    const a = join(dir, 'bundle.nir');
    const b = join(dir, 'dist.nir');
    expect(run(BUNDLE, ['network', 'export', 'mlp', '-o', a]).status).toBe(0);
    expect(run(UNBUNDLED, ['network', 'export', 'mlp', '-o', b]).status).toBe(0);
    const shown = run(UNBUNDLED, ['network', 'show', a, '--json']);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout.replaceAll(a, 'F')).toBe(run(UNBUNDLED, ['network', 'show', b, '--json']).stdout.replaceAll(b, 'F'));
  }, 60_000);

  it('records a trace that the unbundled CLI verifies, byte for byte the same as its own', () => {
    const fromBundle = join(dir, 'bundle.trace');
    const fromDist = join(dir, 'dist.trace');
    expect(run(BUNDLE, ['layer', '--gemm', '16,16,16', '--trace', fromBundle]).status).toBe(0);
    expect(run(UNBUNDLED, ['layer', '--gemm', '16,16,16', '--trace', fromDist]).status).toBe(0);
    expect(readFileSync(fromBundle).equals(readFileSync(fromDist))).toBe(true);
    const v = run(UNBUNDLED, ['replay', fromBundle, '--verify']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^verified: \d+ records replay identically/);
  }, 60_000);
});

describe('the bin', () => {
  const buildInfo = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/bundle/built-from.json'), 'utf8')) as { buildInfo: string[] }).buildInfo.map((p) => fileURLToPath(new URL(p, `file://${BUNDLE}`)));

  /** Which entry the bin ran: a module-load hook prints the main.js that node loads. */
  function entryRun(): string {
    const hook = `data:text/javascript,${encodeURIComponent("import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent('export async function load(u, c, n) { if (/\\\\/(bundle|dist)\\\\/main\\\\.js$/.test(u)) process.stderr.write(\"ENTRY \" + u + \"\\\\n\"); return n(u, c); }'));")}`;
    const r = spawnSync(process.execPath, ['--import', hook, BIN, '--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return /ENTRY (\S+)/.exec(r.stderr)?.[1] ?? `none: ${r.stderr}`;
  }

  it('runs the bundle when it is up to date, and the unbundled build once a package was rebuilt after it', () => {
    expect(buildInfo.length).toBeGreaterThan(10);
    expect(entryRun(), 'a package was rebuilt after the bundle (tsc -b alone): run npm run build').toMatch(/packages\/cli\/bundle\/main\.js$/);
    // As if `tsc -b` had rebuilt the hw package after the bundle: its build info is newer.
    const info = buildInfo.find((p) => p.includes('/packages/hw/'))!;
    const st = statSync(info);
    const bundleMs = statSync(BUNDLE).mtimeMs;
    try {
      utimesSync(info, st.atime, new Date(bundleMs + 5000));
      expect(entryRun()).toMatch(/packages\/cli\/dist\/main\.js$/);
    } finally {
      utimesSync(info, st.atime, st.mtime);
    }
    expect(entryRun()).toMatch(/packages\/cli\/bundle\/main\.js$/);
  }, 30_000);
});
