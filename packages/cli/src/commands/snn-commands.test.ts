import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceFiles } from '../../../../test/reference.js';
import { runCli } from '../app.js';
import type { CliIO } from '../context.js';

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', interactive: false, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

// The repository's copies of the reference golden files (reference/ORIGIN.md).
const files = referenceFiles('golden', '.json');
const graphFiles = referenceFiles('golden-graph', '.json');

describe('sata reference check', () => {
  it('passes every golden file of both formats (exit 0) and prints the error per quantity', async () => {
    const io = capture();
    const all = [...files, ...graphFiles];
    expect(await runCli(['reference', 'check', ...all], io)).toBe(0);
    expect(io.stdout.match(/^PASS/gm)).toHaveLength(all.length);
    expect(io.stdout).toMatch(/conv1_lif +du /);
    expect(io.stdout).toMatch(/bn0 +dgamma /);
  });

  it('exits 1 when a value is off, 2 for an unusable file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sata-ref-'));
    const doc = JSON.parse(readFileSync(files[0]!, 'utf8'));
    doc.loss *= 1 + 1e-6;
    writeFileSync(join(dir, 'off.json'), JSON.stringify(doc));
    const io = capture();
    expect(await runCli(['reference', 'check', join(dir, 'off.json'), '--json'], io)).toBe(1);
    const report = JSON.parse(io.stdout);
    expect(report.pass).toBe(false);
    expect(report.files[0].quantities.find((q: { quantity: string }) => q.quantity === 'loss').pass).toBe(false);
    delete doc.layers;
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(doc));
    const io2 = capture();
    expect(await runCli(['reference', 'check', join(dir, 'broken.json')], io2)).toBe(2);
    expect(io2.stderr).toMatch(/broken\.json: field "layers" must be a non-empty list/);
  });
});

describe('sata train', () => {
  it('prints one JSON document with epochs, densities and the test accuracy', async () => {
    const io = capture();
    expect(await runCli(['train', '--network', 'mlp', '--epochs', '1', '--timesteps', '2', '--json'], io)).toBe(0);
    const doc = JSON.parse(io.stdout);
    expect(doc.dataset.source).toBe('uci-digits');
    expect(doc.epochs).toHaveLength(1);
    expect(doc.epochs[0].densities[0].perStep).toHaveLength(2);
    expect(doc.testAccuracy).toBe(doc.epochs[0].testAccuracy);
    expect(doc.testAccuracy).toBeGreaterThan(0.2);
    expect(io.stderr).toMatch(/epoch 1\/1: test accuracy/);
  });

  it('labels synthetic data and rejects a network that cannot take the digits', async () => {
    const io = capture();
    expect(await runCli(['train', '--network', 'mlp', '--dataset', 'synthetic', '--samples', '60', '--epochs', '1', '--timesteps', '1'], io)).toBe(0);
    expect(io.stdout).toMatch(/synthetic: generated data, not a real task/);
    const io2 = capture();
    expect(await runCli(['train', '--network', 'vgg5', '--epochs', '1'], io2)).toBe(2);
    expect(io2.stderr).toMatch(/network vgg5 takes 3x32x32 inputs, but data set digits-train has 1x8x8/);
    const io3 = capture();
    expect(await runCli(['train', '--network', 'nope.yaml'], io3)).toBe(2);
    expect(io3.stderr).toMatch(/network file nope\.yaml: cannot read: no such file/);
  });
});
