import { describe, expect, it } from 'vitest';
import { eyerissEnergyModel, UNIT_PICOJOULES } from './index.js';

describe('eyeriss', () => {
  it('prices 1 / 1 / 2 / 6 / 200 units per 16-bit access', () => {
    const u = (component: string, action: string): number => eyerissEnergyModel.energyPerAction({ component, action, bits: 16 })!.picojoules / UNIT_PICOJOULES;
    expect(u('pe', 'mac')).toBeCloseTo(1, 12);
    expect(u('scratchpad.ifmap', 'read')).toBeCloseTo(1, 12);
    expect(u('arrayNetwork.psum', 'transfer')).toBeCloseTo(2, 12);
    expect(u('globalBuffer.weights', 'read')).toBeCloseTo(6, 12);
    expect(u('dram', 'write')).toBeCloseTo(200, 12);
    expect(eyerissEnergyModel.energyPerAction({ component: 'globalBuffer', action: 'read', bits: 16 })!.source).toMatch(/Eyeriss.*global buffer 6x/);
  });
  it('has no figure for what Eyeriss does not describe', () => {
    expect(eyerissEnergyModel.energyPerAction({ component: 'lif', action: 'compare', bits: 16 })).toBeUndefined();
  });
});
