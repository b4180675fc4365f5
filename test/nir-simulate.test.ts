/**
 * An imported NIR network simulates like any other: measured sparsity runs the functional
 * model with the file's own (trained) weights, statistical sparsity uses the structure only
 * (so it equals the converted YAML network's result), and the CLI commands take `.nir`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../packages/cli/src/registry.js';
import { runCli } from '../packages/cli/src/app.js';
import { networkFromRef } from '../packages/snn/src/index.js';
import { resolveConfig, simulateTraining } from '../packages/training/src/index.js';
import { capture } from './cli.js';

const NIR = join(__dirname, '../reference/nir/cnn-avgpool/model.nir');
const registry = builtinRegistry();
const dir = mkdtempSync(join(tmpdir(), 'sata-nir-sim-'));

describe('simulating an imported NIR network', () => {
  const yaml = join(dir, 'cnn.yaml');
  it('converts to the project format (structure only, said on stderr)', async () => {
    const io = capture();
    expect(await runCli(['network', 'convert', NIR, '-o', yaml], io), io.stderr).toBe(0);
    expect(io.stderr).toMatch(/the weights are not in it/);
    expect(readFileSync(yaml, 'utf8')).toMatch(/type: readout/);
    const a = networkFromRef(NIR, registry);
    const b = networkFromRef(yaml, registry);
    expect(b.layers.map((l) => [l.name, l.kind, l.attrs, l.outShape])).toEqual(a.layers.map((l) => [l.name, l.kind, l.attrs, l.outShape]));
    expect(b.params).toBeUndefined();
  });

  it('the step dt is a setting of every run (dtSeconds, --dt): it sets the leak of the file\'s neurons, and a step longer than a tau is refused', async () => {
    const spikes = (dtSeconds?: number): number[] =>
      simulateTraining(resolveConfig({ network: NIR, timesteps: 4, sparsity: { mode: 'measured' }, dataset: 'digits', ...(dtSeconds ? { dtSeconds } : {}) }), registry).result.densities!.map((d) => d.perStep[0]!.spike ?? 0);
    expect(resolveConfig({}).dtSeconds).toBe(1e-4);
    const base = spikes();
    expect(spikes(1e-4)).toEqual(base);
    // Another step gives the file's neurons another leak (lam = 1 - dt/tau), so other spikes.
    expect(spikes(5e-4)).not.toEqual(base);
    const io = capture();
    expect(await runCli(['simulate', '--network', NIR, '--sparsity', 'measured', '--dataset', 'digits', '--dt', '5e-4', '--json'], io), io.stderr).toBe(0);
    expect(JSON.parse(io.stdout).config.dtSeconds).toBe(5e-4);
    const long = capture();
    expect(await runCli(['simulate', '--network', NIR, '--dt', '2e-3'], long)).toBe(2);
    expect(long.stderr).toMatch(/node "1" \(LIF\): tau = 0\.000999\d* s is shorter than the step dt = 0\.002 s/);
    expect(() => resolveConfig({ dtSeconds: 0 })).toThrow(/dtSeconds must be > 0 and <= 1/);
  });

  it('measured sparsity runs the functional model with the file\'s weights; statistical uses the structure only', () => {
    const cfg = (network: string, mode: 'measured' | 'statistical') => resolveConfig({ network, batch: 2, timesteps: 4, sparsity: { mode }, dataset: 'digits', seed: 3 });
    const own = simulateTraining(cfg(NIR, 'measured'), registry);
    const seeded = simulateTraining(cfg(yaml, 'measured'), registry);
    const net = networkFromRef(NIR, registry);
    expect(Array.from(own.measurement!.weights[0]!['weight']!)).toEqual(Array.from(net.params![0]!['weight']!));
    expect(Array.from(seeded.measurement!.weights[0]!['weight']!)).not.toEqual(Array.from(net.params![0]!['weight']!));
    // Different weights, different spikes, different counts.
    const spikes = (r: typeof own) => r.measurement!.bptt.layers.filter((l) => l.kind === 'lif').map((l) => l.nnz.reduce((s, c) => s + c.y, 0));
    expect(spikes(own)).not.toEqual(spikes(seeded));
    expect(own.result.ops).not.toEqual(seeded.result.ops);
    expect(spikes(own).every((s) => s > 0)).toBe(true);
    const stat = (network: string) => simulateTraining(cfg(network, 'statistical'), registry).result;
    expect(stat(NIR).ops).toEqual(stat(yaml).ops);
    expect(stat(NIR).energyPJ).toEqual(stat(yaml).energyPJ);
  });

  it('sata simulate, compare and network show take a .nir network', async () => {
    for (const args of [['simulate', '--network', NIR, '--sparsity', 'measured', '--dataset', 'digits', '--json'], ['compare', '--network', NIR, '--json'], ['network', 'show', NIR]]) {
      const io = capture();
      expect(await runCli(args, io), `${args.join(' ')}: ${io.stderr}`).toBe(0);
      expect(io.stdout.length).toBeGreaterThan(100);
    }
  });

  it('exports a zoo network and reads it back; refuses one with batch norm, naming the layers', async () => {
    const out = join(dir, 'mlp.nir');
    let io = capture();
    expect(await runCli(['network', 'export', 'mlp', '--format', 'nir', '-o', out], io), io.stderr).toBe(0);
    expect(io.stderr).toMatch(/NIR neurons fire on v > v_threshold/);
    io = capture();
    expect(await runCli(['network', 'show', out, '--json'], io), io.stderr).toBe(0);
    io = capture();
    expect(await runCli(['network', 'export', 'resnet19', '-o', join(dir, 'r.nir')], io)).toBe(2);
    expect(io.stderr).toMatch(/NIR cannot carry \d+ layer\(s\): .*batch norm/);
  });

  it('network run: bad input files are exit 2 with the file and the problem', async () => {
    const { writeFileSync } = await import('node:fs');
    const bad: [unknown, RegExp][] = [
      [{ input: [[1, 2]] }, /input\[0\] must be a list of 64 numbers/],
      [{ input: [new Array(64).fill(0)], T: 0 }, /field "T" must be a positive integer/],
      [{ input: [new Array(64).fill(0), new Array(64).fill(0)], T: 3 }, /2 input steps for T = 3/],
      [{ inputs: [] }, /unknown field "inputs"/],
    ];
    for (const [doc, re] of bad) {
      const p = join(dir, 'bad-input.json');
      writeFileSync(p, JSON.stringify(doc));
      const io = capture();
      expect(await runCli(['network', 'run', join(__dirname, '../reference/nir/cnn-avgpool/model.nir'), '--input', p], io)).toBe(2);
      expect(io.stderr).toMatch(re);
      expect(io.stdout).toBe('');
    }
  });
});

describe('the kinds NIR brought, on the accelerator', () => {
  const spec = {
    name: 'nir-kinds',
    inputShape: [2, 8, 8],
    layers: [
      { type: 'scale', name: 'sc', factor: [2, -1] },
      { type: 'conv', name: 'c1', out: 4, kernel: 3, padding: 1 },
      { type: 'lif', name: 'n1', gain: 0.5, compare: '>' },
      { type: 'sumpool', name: 'sp', k: 2 },
      { type: 'conv', name: 'c2', out: 4, kernel: 3, padding: 1 },
      { type: 'add', name: 'fan', inputs: ['c2', 'sp'] },
      { type: 'if', name: 'n2', gain: 2 },
      { type: 'fc', name: 'f', out: 6 },
      { type: 'li', name: 'syn', lam: 0.5, gain: 1.5 },
      { type: 'lif', name: 'n3' },
      { type: 'fc', name: 'g', out: 3 },
      { type: 'i', name: 'acc', gain: 0.5 },
      { type: 'readout', name: 'output' },
    ],
  };
  const file = join(dir, 'nir-kinds.json');
  it('simulate as SNN and ANN, on every dataflow and training algorithm, measured and statistical: every action priced, totals adding up, the vector work priced as computation', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(spec));
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    for (const [arch, dataflow, algorithm, mode] of [
      ['sata', 'sata-tiled', 'bptt', 'measured'], ['sata', 'ws', 'tbptt:2', 'statistical'], ['sata', 'os', 'sltt', 'measured'], ['eyeriss', 'ws', 'bptt', 'statistical'],
    ] as const) {
      const r = simulateTraining(resolveConfig({ network: file, arch, dataflow, algorithm, timesteps: 3, batch: 2, sparsity: { mode } } as never), registry).result;
      const what = `${arch} ${dataflow} ${algorithm} ${mode}`;
      expect(r.unpriced, what).toEqual([]);
      const e = r.energyPJ;
      expect(Math.abs(sum(e.byLayer.map((l) => l.totalPJ)) + (e.drain ?? 0) - e.total)).toBeLessThanOrEqual(1e-9 * e.total);
      for (const name of ['sc', 'sp', 'fan', 'syn', 'acc', ...(arch === 'sata' ? ['n1', 'n2'] : [])]) {
        expect(e.byLayer.find((l) => l.name === name)!.computePJ, `${what}: ${name}`).toBeGreaterThan(0);
      }
    }
  });
});
