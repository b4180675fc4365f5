/**
 * The layer kind of the README's "Adding a layer kind" section, taken from the README as
 * written there, registered by a plugin and used by a network file on the functional model
 * and the accelerator: the documentation must stay true.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@sata/core';
import { builtinRegistry } from '@sata/cli';
import type { Plugin } from '@sata/plugin-api';
import { initWeights, networkFromRef, runBptt } from '@sata/snn';
import { resolveConfig, simulateTraining } from '@sata/training';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Adding a layer kind'));
const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
// Inside the repository, so that '@sata/plugin-api' resolves as it does for a user's script.
const dir = mkdtempSync(join(__dirname, '.readme-layer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README's layer kind", () => {
  it('runs in a network file, through BPTT and on the accelerator', async () => {
    writeFileSync(join(dir, 'delay.ts'), code);
    const { delayPlugin } = (await import(join(dir, 'delay.ts'))) as { delayPlugin: Plugin };
    const registry = builtinRegistry([delayPlugin]);
    const file = join(dir, 'net.yaml');
    writeFileSync(file, 'inputShape: [1, 8, 8]\nlayers:\n  - { type: conv, out: 4, k: 3, pad: 1 }\n  - { type: lif }\n  - { type: delay }\n  - { type: out, out: 10 }\n');
    const net = networkFromRef(file, registry);
    expect(net.layers.map((l) => l.kind)).toEqual(['conv', 'lif', 'delay', 'out']);
    expect(net.layers[2]!.value).toBe('spike');
    // The functional model: spikes arrive one step late; gradients go back one step.
    const w = initWeights(net, { seed: 1, dtype: 'float64' });
    const rng = new Rng(2);
    const x = Array.from({ length: 3 }, () => Float64Array.from({ length: 64 }, () => 3 * rng.nextFloat()));
    const r = runBptt(net, w, x, [3], { T: 3, lam: 0.9, theta: 1 });
    expect([...r.layers[2]!.y[2]!]).toEqual([...r.layers[1]!.y[1]!]);
    expect(r.layers[2]!.y[0]!.every((v) => v === 0)).toBe(true);
    expect([...r.layers[1]!.dy[0]!]).toEqual([...r.layers[2]!.dy[1]!]);
    expect(r.layers[1]!.dy[1]!.some((v) => v !== 0)).toBe(true);
    // The accelerator: the delayed spikes move through the spike buffer, the next GEMM AND-accumulates them.
    const res = simulateTraining(resolveConfig({ network: file, timesteps: 3, dataflow: 'ws' }), registry).result;
    const delay = res.energyPJ.byLayer.find((l) => l.kind === 'delay')!;
    expect(delay.memoryPJ).toBeGreaterThan(0);
    expect(delay.computePJ).toBe(0);
    expect(res.ops['FP.and_accumulate']!.active).toBeGreaterThan(0);
    expect(res.unpriced).toEqual([]);
  });

  it('refuses a field the kind does not have, and is unknown without its plugin', async () => {
    writeFileSync(join(dir, 'delay2.ts'), code);
    const { delayPlugin } = (await import(join(dir, 'delay2.ts'))) as { delayPlugin: Plugin };
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'inputShape: [4]\nlayers:\n  - { type: delay, steps: 2 }\n  - { type: out, out: 2 }\n');
    expect(() => networkFromRef(file, builtinRegistry([delayPlugin]))).toThrow(/layers\[0\]: unknown field "steps" for a delay layer/);
    expect(() => networkFromRef(file, builtinRegistry())).toThrow(/field "type" must be one of .*; found "delay"/);
  });
});
