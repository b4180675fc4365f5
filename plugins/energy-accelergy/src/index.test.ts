import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importAccelergyErt } from './index.js';

const SAMPLE = readFileSync(new URL('./fixtures/sample-ert.yaml', import.meta.url), 'utf8');

describe('accelergy ERT import', () => {
  it('maps the sample table onto our components and actions, each figure with its source', () => {
    const m = importAccelergyErt(SAMPLE, { origin: 'sample-ert.yaml' });
    expect(m.name).toBe('accelergy');
    expect(m.energyPerAction({ component: 'pe', action: 'mac', bits: 16 })!.picojoules).toBe(0.5);
    expect(m.energyPerAction({ component: 'pe', action: 'gated', bits: 16 })!.picojoules).toBe(0.02);
    // Bits scale the figure linearly from the component's width (16 by default).
    expect(m.energyPerAction({ component: 'globalBuffer.weights', action: 'read', bits: 8 })!.picojoules).toBe(2);
    expect(m.energyPerAction({ component: 'dram', action: 'write', bits: 16 })!.picojoules).toBe(128);
    const spad = m.energyPerAction({ component: 'scratchpad.ifmap', action: 'read', bits: 16 })!;
    expect(spad.picojoules).toBe(0.3);
    expect(spad.source).toMatch(/sample-ert.yaml: system.chip.PE\[0..127\].scratchpad.read with arguments .* \(the first of 2\)/);
    expect(m.skipped).toEqual(expect.arrayContaining(['system.chip.Sequencer', 'system.chip.PE[0..127].mac.idle']));
  });

  it('takes explicit component mappings and widths', () => {
    const m = importAccelergyErt(SAMPLE, { name: 'acc2', components: { 'system.chip.GlobalBuffer': 'globalBuffer.membrane' }, bits: { globalBuffer: 64 } });
    expect(m.energyPerAction({ component: 'globalBuffer.membrane', action: 'read', bits: 64 })!.picojoules).toBe(4);
    expect(m.energyPerAction({ component: 'globalBuffer.spikes', action: 'read', bits: 64 })).toBeUndefined();
  });

  it('rejects what is not an ERT, saying why', () => {
    expect(() => importAccelergyErt('a: [', { origin: 'bad.yaml' })).toThrow(/bad.yaml:1:5: not valid YAML/);
    expect(() => importAccelergyErt('foo: 1', { origin: 'x.yaml' })).toThrow(/x.yaml: expected an Accelergy energy reference table/);
    expect(() => importAccelergyErt('ERT:\n  tables:\n  - name: system.DRAM\n    actions:\n    - name: read\n      energy: -1\n')).toThrow(/system.DRAM.read has no valid energy/);
  });
});
