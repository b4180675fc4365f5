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
    writeFileSync(join(dir, 'scale.ts'), code);
    const { scalePlugin } = (await import(join(dir, 'scale.ts'))) as { scalePlugin: Plugin };
    const registry = builtinRegistry([scalePlugin]);
    const file = join(dir, 'net.yaml');
    writeFileSync(file, 'inputShape: [1, 8, 8]\nlayers:\n  - { type: conv, out: 4, k: 3, pad: 1 }\n  - { type: scale, factor: 0.5 }\n  - { type: lif }\n  - { type: out, out: 10 }\n');
    const net = networkFromRef(file, registry);
    expect(net.layers.map((l) => l.kind)).toEqual(['conv', 'scale', 'lif', 'out']);
    // The functional model: the scale halves the current, and its gradient.
    const w = initWeights(net, { seed: 1, dtype: 'float64' });
    const rng = new Rng(2);
    const x = Array.from({ length: 2 }, () => Float64Array.from({ length: 64 }, () => rng.nextFloat()));
    const r = runBptt(net, w, x, [3], { T: 2, lam: 0.9, theta: 1 });
    expect(r.layers[1]!.y[1]![5]).toBeCloseTo(0.5 * r.layers[0]!.y[1]![5]!, 15);
    expect(r.layers[0]!.dy[0]![7]).toBeCloseTo(0.5 * r.layers[1]!.dy[0]![7]!, 15);
    // The accelerator: its multiplies are counted and priced on the vector unit.
    const res = simulateTraining(resolveConfig({ network: file, timesteps: 2 }), registry).result;
    expect(res.energyPJ.byLayer.find((l) => l.kind === 'scale')!.computePJ).toBeGreaterThan(0);
    expect(res.energyModel.sources['vector.multiply']).toMatch(/vector unit/);
    expect(res.unpriced).toEqual([]);
  });

  it('refuses a bad field, naming the layer', async () => {
    writeFileSync(join(dir, 'scale2.ts'), code);
    const { scalePlugin } = (await import(join(dir, 'scale2.ts'))) as { scalePlugin: Plugin };
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'inputShape: [4]\nlayers:\n  - { type: scale, factor: x }\n  - { type: out, out: 2 }\n');
    expect(() => networkFromRef(file, builtinRegistry([scalePlugin]))).toThrow(/layers\[0\]: field "factor" must be a number/);
  });
});
