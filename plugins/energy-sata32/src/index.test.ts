import { priceActions } from '@sata/plugin-api';
import { describe, expect, it } from 'vitest';
import { sata32EnergyModel } from './index.js';

describe('sata-32nm', () => {
  it('prices SATA_Sim composite operations at 16 bits and scales data paths by bits/16', () => {
    expect(sata32EnergyModel.energyPerAction({ component: 'pe', action: 'and_accumulate', bits: 16 })!.picojoules).toBeCloseTo(0.039694, 12);
    expect(sata32EnergyModel.energyPerAction({ component: 'pe', action: 'mac', bits: 16 })!.picojoules).toBeCloseTo(0.2779, 12);
    expect(sata32EnergyModel.energyPerAction({ component: 'pe', action: 'mac', bits: 8 })!.picojoules).toBeCloseTo(0.2779 / 2, 12);
    expect(sata32EnergyModel.energyPerAction({ component: 'dram', action: 'read', bits: 1 })!.picojoules).toBeCloseTo(55.58 / 16, 12);
    // Softmax's exp and divide, composed of SATA_Sim's primitives; the AND of two spike masks.
    expect(sata32EnergyModel.energyPerAction({ component: 'vector', action: 'exp', bits: 16 })!.picojoules).toBeCloseTo(3 * 0.239 + 2 * 0.00967 + 0.00605, 12);
    expect(sata32EnergyModel.energyPerAction({ component: 'vector', action: 'divide', bits: 16 })!.picojoules).toBeCloseTo(3 * 0.239 + 0.00967, 12);
    expect(sata32EnergyModel.energyPerAction({ component: 'vector', action: 'and', bits: 1 })!.picojoules).toBeCloseTo(0.000794 / 16, 12);
    // LIF update: add + compare + 2 mux + 3 register + shift = 0.11255 pJ.
    const lif = priceActions(sata32EnergyModel, [
      { component: 'lif', action: 'add', bits: 16, count: 1 },
      { component: 'lif', action: 'compare', bits: 16, count: 1 },
      { component: 'lif', action: 'mux', bits: 16, count: 2 },
      { component: 'lif', action: 'register', bits: 16, count: 3 },
      { component: 'lif', action: 'shift', bits: 16, count: 1 },
    ]);
    expect(lif.totalPicojoules).toBeCloseTo(0.11255, 5);
  });

  it('uses the CACTI figures for named partitions and the simple model otherwise, stating the source', () => {
    const w = sata32EnergyModel.energyPerAction({ component: 'globalBuffer.weights', action: 'read', bits: 16 })!;
    expect(w.picojoules).toBeCloseTo(6.529 * 2, 12);
    expect(w.source).toMatch(/CACTI 32 nm.*weights/);
    const other = sata32EnergyModel.energyPerAction({ component: 'globalBuffer.scratch', action: 'write', bits: 16 })!;
    expect(other.picojoules).toBe(1.95);
    expect(other.source).toMatch(/simple model/);
    expect(sata32EnergyModel.leakagePower!('globalBuffer.membrane')!.milliwatts).toBeCloseTo(3.15 * 16, 12);
  });

  it('prices leakage over cycles at the clock', () => {
    const b = priceActions(sata32EnergyModel, [], { components: ['globalBuffer.spikes'], cycles: 400, clockHz: 400e6 });
    // 8 mW for 1 us = 8 nJ.
    expect(b.leakagePicojoules).toBeCloseTo(8000, 6);
  });
});
