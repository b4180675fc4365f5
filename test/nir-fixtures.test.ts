/**
 * The NIR fixtures (reference/nir, exported by snnTorch 0.9.4 or built with the nir API):
 * `sata network run` on each fixture's input must give snnTorch's spikes at every neuron
 * node and every step. NIR cannot express two of snnTorch's behaviours, and the references
 * say so: `subtract-reset` holds the NIR (hard reset) result, snnTorch's own subtract-reset
 * result is `alt_snntorchOriginal`; `recurrent` has a cycle, which the layer graph refuses.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/src/app.js';
import { capture } from './cli.js';

const ROOT = join(__dirname, '../reference/nir');
if (!existsSync(join(ROOT, 'README.md'))) throw new Error(`NIR fixtures missing: ${ROOT} (copy them from the shared reference folder, see reference/nir/ORIGIN.md)`);
const FIXTURES = readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'model.nir'))).sort();

interface Reference {
  T: number;
  input: number[][];
  outputs: Record<string, number[][]>;
  spikeCounts: Record<string, number>;
  neuronNodes: string[];
  alt_snntorchOriginal?: unknown;
}

const dir = mkdtempSync(join(tmpdir(), 'sata-nir-'));

describe('NIR fixtures through sata network run', () => {
  it('finds all eight fixtures', () => {
    expect(FIXTURES).toEqual(['bias', 'cnn-avgpool', 'cnn-strided', 'if-neurons', 'mlp', 'recurrent', 'residual', 'subtract-reset']);
  });

  for (const name of FIXTURES.filter((f) => f !== 'recurrent')) {
    it(`${name}: the reference's spikes at every neuron node and step`, async () => {
      const ref = JSON.parse(readFileSync(join(ROOT, name, 'reference.json'), 'utf8')) as Reference;
      const input = join(dir, `${name}.json`);
      writeFileSync(input, JSON.stringify({ input: ref.input, T: ref.T }));
      const io = capture();
      // The default dt (1e-4 s) for all: IF integrates r I per step, without dt (if-neurons' reference says dt = 1).
      expect(await runCli(['network', 'run', join(ROOT, name, 'model.nir'), '--input', input, '--json'], io), io.stderr).toBe(0);
      const run = JSON.parse(io.stdout) as { T: number; weights: string; layers: { name: string; neuron: boolean; spikes?: number; steps: { values: number[] }[] }[] };
      expect(run.T).toBe(ref.T);
      expect(run.weights).toBe('own');
      const byName = new Map(run.layers.map((l) => [l.name, l]));
      let compared = 0;
      for (const [node, steps] of Object.entries(ref.outputs)) {
        const layer = byName.get(node);
        expect(layer, `layer for NIR node ${node}`).toBeDefined();
        expect(layer!.steps).toHaveLength(ref.T);
        steps.forEach((expected, t) => {
          expect(layer!.steps[t]!.values, `${name}: node ${node}, step ${t + 1}`).toEqual(expected);
          compared += expected.length;
        });
      }
      for (const node of ref.neuronNodes) expect(byName.get(node)!.spikes, `${name}: spikes of ${node}`).toBe(ref.spikeCounts[node]);
      expect(compared).toBeGreaterThan(0);
    });
  }

  it('subtract-reset: NIR stores snnTorch\'s subtract reset as a reset to zero, so the result is the NIR one, not snnTorch\'s original', () => {
    const ref = JSON.parse(readFileSync(join(ROOT, 'subtract-reset', 'reference.json'), 'utf8')) as Reference;
    expect(ref.alt_snntorchOriginal).toBeDefined();
    expect(JSON.stringify(ref.alt_snntorchOriginal)).not.toEqual(JSON.stringify(ref.outputs));
  });

  it('recurrent: a cycle is refused with exit 2, naming the file and the node', async () => {
    const io = capture();
    const input = join(dir, 'recurrent.json');
    const ref = JSON.parse(readFileSync(join(ROOT, 'recurrent', 'reference.json'), 'utf8')) as Reference;
    writeFileSync(input, JSON.stringify({ input: ref.input, T: ref.T }));
    expect(await runCli(['network', 'run', join(ROOT, 'recurrent', 'model.nir'), '--input', input], io)).toBe(2);
    expect(io.stderr).toMatch(/recurrent\/model\.nir: node "1\.lif" \(LIF\): a recurrent edge closes the cycle 1\.lif -> 1\.w_rec -> 1\.lif/);
    expect(io.stdout).toBe('');
  });
});
