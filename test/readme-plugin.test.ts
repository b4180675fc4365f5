/**
 * The plugin of the README's "Adding a plugin" section, as written there, registered
 * beside the built-in ones and used for a run: the documentation must stay true.
 */
import { builtinRegistry } from '@sata/cli';
import { bufferInfo, BoundedBuffer } from '@sata/core';
import { componentContribution, defineEnergyTable, definePlugin, defineSystolicDataflow } from '@sata/plugin-api';
import { resolveConfig, simulateTraining } from '@sata/training';
import { describe, expect, it } from 'vitest';

const myPlugin = definePlugin({
  name: 'my-plugin',
  version: '1.0.0',
  description: 'what it adds',
  components: [componentContribution(bufferInfo, BoundedBuffer as never)],
  dataflows: [
    defineSystolicDataflow({
      name: 'ws-rows-outer', version: '1.0.0', description: 'weight stationary, row folds outer',
      mapping: { rows: 'K', cols: 'N', time: 'M', foldOrder: 'rows-outer' },
      differences: ['partial sums of every column fold stay live across the row folds'],
    }),
  ],
  energyModels: [
    defineEnergyTable({
      name: 'my-7nm', version: '1.0.0', description: 'my 7 nm figures',
      entries: [
        { component: 'pe', action: 'mac', picojoules: 0.05, bits: 16, scaling: 'linear', source: 'my synthesis run, 2026-11' },
        { component: 'dram', action: 'read', picojoules: 20, bits: 16, scaling: 'linear', source: 'HBM3 datasheet' },
      ],
    }),
  ],
});

describe("the README's plugin example", () => {
  it('registers beside the built-in plugins and drives a run', () => {
    // The component type name is the worked example's, so give the plugin's its own registry.
    const registry = builtinRegistry([{ ...myPlugin, components: [] }]);
    expect(registry.pluginList()).toContain('my-plugin@1.0.0');
    const r = simulateTraining(resolveConfig({ network: 'digits-cnn', dataflow: 'ws-rows-outer', energyModel: 'my-7nm' }), registry).result;
    expect(r.energyModel.name).toBe('my-7nm');
    expect(r.energyModel.sources['dram.read']).toMatch(/HBM3 datasheet/);
    // What the table has no figure for is listed, not silently dropped.
    expect(r.unpriced).toContain('globalBuffer.weights.read@16');
    expect(r.energyPJ.total).toBeGreaterThan(0);
  });

  it('is rejected beside a plugin that defines the same component type', () => {
    expect(() => builtinRegistry([myPlugin])).toThrow(/duplicate component "example.BoundedBuffer"/);
  });
});
