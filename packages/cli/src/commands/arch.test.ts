import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAccelerator, priceRun, runSchedule, type GemmStep } from '@sata/hw';
import { Simulator } from '@sata/core';
import { acceleratorFor, resolveConfig } from '@sata/training';
import { describe, expect, it } from 'vitest';
import { runCli } from '../app.js';
import type { CliIO } from '../context.js';
import { builtinRegistry } from '../registry.js';
import { layerAccelerator, resolveLayerConfig } from '../runs/layer-kind.js';

async function sata(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = { stdout: '', stderr: '', interactive: false, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) } as CliIO & { stdout: string; stderr: string };
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'sata-arch-cli-'));

describe('sata arch', () => {
  it('lists the registered specs and shows one resolved, as a table or JSON', async () => {
    const list = await sata('arch', 'list');
    expect(list.code).toBe(0);
    for (const n of ['sata', 'eyeriss', 'sata-zero-skip']) expect(list.stdout).toMatch(new RegExp(`^${n} `, 'm'));
    const show = await sata('arch', 'show', 'sata-zero-skip', '--json');
    expect(show.code).toBe(0);
    const s = JSON.parse(show.stdout);
    expect(s).toMatchObject({ name: 'sata-zero-skip', workload: 'snn', clockMHz: 400 });
    expect(s.source).toBe('plugins/component-zero-skip/arch/sata-zero-skip.yaml (extends packages/hw/arch/sata.yaml)');
    expect(s.components.find((c: { name: string }) => c.name === 'array')).toEqual({ name: 'array', class: 'zeroskip.PEArray', role: 'array', params: { rows: 8, cols: 16, indexBitsPerRow: 1 } });
    expect(s.links).toContainEqual({ from: 'controller.dram', to: 'dram.req', latency: 0 });
    const table = await sata('arch', 'show', 'eyeriss');
    expect(table.stdout).toMatch(/workload ann, clock 400 MHz/);
    expect(table.stdout).toMatch(/weights +hw\.GlobalBuffer +buffer +capacityBytes=147456/);
  });

  it('--arch FILE runs a user spec; its errors name the file, the component and the parameter (exit 2)', async () => {
    const good = join(dir, 'big-weights.yaml');
    writeFileSync(good, 'name: big-weights\nextends: sata\ncomponents:\n  weights: { params: { capacityBytes: 1048576 } }\n');
    const r = await sata('simulate', '--network', 'digits-cnn', '--arch', good, '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.config.memory.glbKiB.weights).toBe(1024);
    expect(res.workload).toBe('snn');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nextends: sata\ncomponents:\n  weights: { params: { capacityBytes: 0 } }\n');
    for (const cmd of [['simulate', '--network', 'digits-cnn'], ['layer', '--gemm', '8,8,8']]) {
      const e = await sata(...cmd, '--arch', bad);
      expect(e.code).toBe(2);
      expect(e.stderr).toMatch(/bad\.yaml \(extends .*sata\.yaml\): component acc\.weights \(hw\.GlobalBuffer\): parameter "capacityBytes" must be >= 1 bytes, got 0/);
      expect(e.stdout).toBe('');
    }
    const unknown = await sata('compare', '--network', 'digits-cnn', '--arch', 'tpu');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/arch: unknown architecture "tpu".*registered: eyeriss, sata, sata-zero-skip/);
  });

  it('sata layer and sata simulate build the same hardware by default, and agree on a layer\'s cycles and energy', () => {
    const registry = builtinRegistry();
    const fromSimulate = acceleratorFor(resolveConfig({}), registry);
    const fromLayer = layerAccelerator(resolveLayerConfig({ layer: 'x', gemm: { M: 1, N: 1, K: 1 }, dataflow: 'ws', array: { rows: 8, cols: 16 }, bits: { ifmap: 16, filter: 16, ofmap: 16 } }), registry);
    expect(fromLayer.components).toEqual(fromSimulate.components);
    expect(fromLayer.clockMHz).toBe(fromSimulate.clockMHz);
    // VGG5's conv2 forward at one step, as sata layer runs it, on both.
    const step: GemmStep = {
      kind: 'gemm', label: 'conv2', gemm: { M: 1024, N: 128, K: 576 }, dataflow: registry.get('dataflows', 'ws'), gating: 'ifmap', operation: 'and_accumulate',
      bits: { ifmap: 1, filter: 16, ofmap: 16 }, buffers: { ifmap: 'spikes', filter: 'weights', ofmap: 'membrane' },
    };
    const model = registry.get('energyModels', 'sata-32nm');
    const [a, b] = [fromLayer, fromSimulate].map((spec) => {
      const run = runSchedule([step], spec, { registry });
      return { cycles: run.totalCycles, stall: run.stallCycles, energy: priceRun(run.accelerator, model, run.steps, run.totalCycles).total };
    });
    expect(a).toEqual(b);
    expect(buildAccelerator(new Simulator(), fromLayer, registry).dram.params).toMatchObject({ latencyCycles: 0, bandwidthBitsPerCycle: 128 });
  });

  it('--arch sata-zero-skip runs on simulate, compare and sweep', async () => {
    const sim = JSON.parse((await sata('simulate', '--network', 'digits-cnn', '--arch', 'sata-zero-skip', '--json')).stdout);
    const base = JSON.parse((await sata('simulate', '--network', 'digits-cnn', '--json')).stdout);
    expect(sim.arch).toBe('sata-zero-skip');
    expect(sim.cycles).toBeLessThan(base.cycles);
    expect(sim.energyPJ.byComponent.indexDecoder).toBeGreaterThan(0);
    const cmp = JSON.parse((await sata('compare', '--network', 'digits-cnn', '--arch', 'sata-zero-skip', '--json')).stdout);
    expect(cmp.snnOverAnn.snn.arch).toBe('sata-zero-skip');
    expect(cmp.snnOverAnn.ann.arch).toBe('eyeriss');
    expect(cmp.snnOverAnn.snn.cycles).toBe(sim.cycles);
    const sweep = await sata('sweep', '--runner', 'simulate', '--network', 'digits-cnn', '--param', 'arch=sata,sata-zero-skip', '-j', '0', '--json', '--no-progress');
    expect(sweep.code).toBe(0);
    const points = JSON.parse(sweep.stdout).points;
    expect(points.map((p: { result: { cycles: number } }) => p.result.cycles)).toEqual([base.cycles, sim.cycles]);
  });
});
