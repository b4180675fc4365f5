import { describe, expect, it } from 'vitest';
import { horowitzEnergyModel } from './index.js';

describe('horowitz-45nm', () => {
  const pj = (component: string, action: string, bits: number): number => horowitzEnergyModel.energyPerAction({ component, action, bits })!.picojoules;
  it('takes the figure of the next width up for arithmetic, unscaled', () => {
    expect(pj('pe', 'mac', 8)).toBeCloseTo(0.23, 12);
    expect(pj('pe', 'mac', 16)).toBeCloseTo(3.2, 12);
    expect(pj('pe', 'and_accumulate', 16)).toBeCloseTo(0.05, 12);
    expect(pj('gradientUnit', 'multiply', 16)).toBeCloseTo(3.1, 12);
  });
  it("prices softmax's exp and divide as compositions of its multiplies and adds", () => {
    expect(pj('vector', 'exp', 8)).toBeCloseTo(3 * 0.2 + 2 * 0.03, 12);
    expect(pj('vector', 'exp', 16)).toBeCloseTo(3 * 3.1 + 2 * 0.1, 12);
    expect(pj('vector', 'divide', 16)).toBeCloseTo(3 * 3.1 + 0.1, 12);
    expect(horowitzEnergyModel.energyPerAction({ component: 'vector', action: 'and', bits: 1 })).toBeUndefined();
  });
  it('scales memory accesses per 64 bits', () => {
    expect(pj('globalBuffer.spikes', 'read', 16)).toBeCloseTo(5, 12);
    expect(pj('dram', 'read', 64)).toBeCloseTo(1950, 12);
    expect(horowitzEnergyModel.energyPerAction({ component: 'dram', action: 'read', bits: 64 })!.source).toMatch(/Horowitz ISSCC 2014.*DRAM/);
  });
});
