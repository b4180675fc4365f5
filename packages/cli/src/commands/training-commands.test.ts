import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../app.js';
import type { CliIO } from '../context.js';

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', interactive: false, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

async function sata(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('sata simulate', () => {
  it('prints the result contract with --json, every setting resolved', async () => {
    const { code, stdout, stderr } = await sata('simulate', '--network', 'digits-cnn', '-T', '2', '--bits', 'weight=8', '--set', 'memory.glbKiB.weights=16', '--json');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.kind).toBe('training-iteration');
    expect(r.config).toMatchObject({ network: 'digits-cnn', timesteps: 2, bits: { weight: 8, spike: 1 }, memory: { glbKiB: { weights: 16, membrane: 256 } } });
    for (const k of ['sparsitySource', 'cycles', 'stallCycles', 'timesteps', 'placement', 'ops']) expect(r).toHaveProperty(k);
    for (const k of ['total', 'compute', 'memory', 'byStage', 'byLayer', 'byComponent', 'byAction']) expect(r.energyPJ).toHaveProperty(k);
    expect(Object.keys(r.energyPJ.byStage)).toEqual(['FP', 'BP', 'WG', 'WU']);
    expect(stderr).toMatch(/simulating SNN \(T=2\)/);
  });

  it('prints readable tables without --json', async () => {
    const { code, stdout } = await sata('simulate', '--network', 'digits-cnn', '--arch', 'eyeriss');
    expect(code).toBe(0);
    expect(stdout).toMatch(/ANN training iteration of digits-cnn on the Eyeriss-like baseline/);
    expect(stdout).toMatch(/Energy by stage/);
    expect(stdout).toMatch(/Energy by layer/);
  });

  it('reads a configuration file, and flags override it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sata-sim-'));
    writeFileSync(join(dir, 'c.yaml'), 'network: digits-cnn\ntimesteps: 3\nsparsity:\n  spike: 0.5\n');
    const r = JSON.parse((await sata('simulate', '--config', join(dir, 'c.yaml'), '-T', '2', '--json')).stdout);
    expect(r.config).toMatchObject({ network: 'digits-cnn', timesteps: 2, sparsity: { spike: 0.5 } });
  });

  it('names the sparsity profile file in its errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sata-prof-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ conv1: { spike: 'lots' } }));
    const { code, stderr } = await sata('simulate', '--network', 'digits-cnn', '--sparsity-profile', join(dir, 'p.json'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/p\.json: sparsity.perLayer.conv1.spike must be a number, got "lots"/);
  });

  it.each([
    [['--network', 'vgg6'], /unknown network "vgg6"/],
    [['--network', 'digits-cnn', '--set', 'memory.glbKib.weights=3'], /unknown setting "memory.glbKib"/],
    [['--network', 'digits-cnn', '--bits', 'weight:8'], /--bits: expected name=number pairs/],
    [['--network', 'digits-cnn', '--array', '8by16'], /--array must be ROWSxCOLS/],
    [['--network', 'digits-cnn', '-T', '0'], /timesteps must be an integer in 1..1024, got 0/],
    [['--network', 'digits-cnn', '--sparsity', 'guessed'], /--sparsity must be statistical, measured or replayed/],
    [['--network', 'digits-cnn', '--dataflow', 'rs'], /unknown dataflow "rs"/],
    [['--network', 'digits-cnn', '--energy', 'cmos'], /unknown energy model "cmos"/],
    [['--network', 'vgg5', '--sparsity', 'measured', '--dataset', 'digits'], /dataset digits has 1x8x8 inputs but network vgg5 expects 3x32x32/],
    [['--config', '/nonexistent/c.yaml'], /configuration file \/nonexistent\/c.yaml: cannot read: no such file/],
    [['--network', 'digits-cnn', '--set', 'sparsity.perLayer.conv9.spike=0.5'], /sparsity.perLayer names layer "conv9"/],
  ])('exits 2 with a clear message for bad input: %j', async (args, message) => {
    const { code, stdout, stderr } = await sata('simulate', ...(args as string[]));
    expect(code).toBe(2);
    expect(stderr).toMatch(message as RegExp);
    expect(stderr).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(stdout).toBe('');
  });
});

describe('sata compare', () => {
  it('gives both headline figures with the runs behind them', async () => {
    const { code, stdout } = await sata('compare', '--network', 'digits-cnn', '--json');
    expect(code).toBe(0);
    const c = JSON.parse(stdout);
    expect(c.kind).toBe('comparison');
    expect(c.sparsityGain.value).toBeCloseTo(c.sparsityGain.unaware.energyPJ.compute / c.sparsityGain.aware.energyPJ.compute, 10);
    expect(c.snnOverAnn.value).toBeCloseTo(c.snnOverAnn.snn.energyPJ.total / c.snnOverAnn.ann.energyPJ.total, 10);
    expect(c.sparsityGain.definition).toMatch(/computation energy/);
  });

  it('explains the figures in its table', async () => {
    const { stdout } = await sata('compare', '--network', 'digits-cnn');
    expect(stdout).toMatch(/Sparsity gain in computation energy: [\d.]+x \(paper: 5.58x\)/);
    expect(stdout).toMatch(/SNN \/ ANN total training energy: [\d.]+x \(paper: 1.27x\)/);
    expect(stdout).toMatch(/time-repeated convolutions/);
    expect(stdout).toMatch(/backward data movement/);
  });
});
