import { definePlugin, defineEnergyTable, type EnergyTableEntry } from '@sata/plugin-api';

/**
 * Eyeriss's normalized energy per 16-bit access (Chen et al., ISCA 2016 / JSSC 2017): ALU
 * operation 1, register file 1, array network (PE to PE) 2, global buffer 6, DRAM 200.
 * One unit is priced as one 16-bit MAC of SATA_Sim (0.2779 pJ), the normalization SATA_Sim
 * itself uses, so that results are in pJ like every other model.
 */
export const UNIT_PICOJOULES = 0.2779;
const SRC = 'Eyeriss normalized energy (Chen et al. 2016), 1 unit = a 16-bit MAC = 0.2779 pJ (SATA_Sim)';

const unit = (component: string, action: string, units: number, what: string): EnergyTableEntry => ({
  component, action, picojoules: units * UNIT_PICOJOULES, bits: 16, scaling: 'linear', source: `${SRC}: ${what} ${units}x`,
});

export const eyerissEnergyModel = defineEnergyTable({
  name: 'eyeriss',
  version: '1.0.0',
  description: 'Eyeriss normalized costs per 16-bit access: ALU 1, register file 1, array network 2, global buffer 6, DRAM 200',
  entries: [
    unit('pe', 'mac', 1, 'ALU operation'),
    unit('pe', 'and_accumulate', 1, 'ALU operation'),
    { component: 'pe', action: 'gated', picojoules: 0, bits: 16, scaling: 'fixed', source: `${SRC}: a gated PE does no ALU operation (Eyeriss gates zero activations)` },
    unit('scratchpad', 'read', 1, 'register file'),
    unit('scratchpad', 'write', 1, 'register file'),
    unit('arrayNetwork', 'transfer', 2, 'array network'),
    unit('globalBuffer', 'read', 6, 'global buffer'),
    unit('globalBuffer', 'write', 6, 'global buffer'),
    unit('dram', 'read', 200, 'DRAM'),
    unit('dram', 'write', 200, 'DRAM'),
  ],
});

export const eyerissEnergyPlugin = definePlugin({
  name: 'energy-eyeriss',
  version: '1.0.0',
  description: 'Energy model eyeriss (normalized data-movement costs)',
  energyModels: [eyerissEnergyModel],
});

export default eyerissEnergyPlugin;
