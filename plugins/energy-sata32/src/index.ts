import { definePlugin, defineEnergyTable, type EnergyTableEntry, type LeakageTableEntry } from '@sata/plugin-api';

const SIM = 'SATA_Sim energy constants (Yin et al. 2022, public reference code), 32 nm, per 16-bit operation';
const CACTI = 'SATA_Sim CACTI 32 nm SRAM, 16 banks, 8-bit port, per access';

/** SATA_Sim's primitive operations (pJ per 16-bit operation). */
const PRIMITIVE = { multiply: 0.239, accumulate: 0.0389, add: 0.00967, and: 0.000794, compare: 0.00309, mux: 0.00172, register: 0.0301, shift: 0.00605 } as const;

/**
 * Softmax's exp and divide, which SATA_Sim has no figure for, composed of its primitives:
 * exp(x) = 2^(x log2 e) by range reduction: a multiply by log2 e, a shift by the integer
 * part and a second-order polynomial for 2^fraction (2 multiplies, 2 adds); a divide as a
 * Newton-Raphson reciprocal from a seed table (one iteration x (2 - d x): 2 multiplies, an
 * add; the seed read left out) and a multiply by the dividend.
 */
const EXP = 3 * PRIMITIVE.multiply + 2 * PRIMITIVE.add + PRIMITIVE.shift;
const DIVIDE = 3 * PRIMITIVE.multiply + PRIMITIVE.add;

const op = (component: string, action: string, picojoules: number, source: string): EnergyTableEntry => ({ component, action, picojoules, bits: 16, scaling: 'linear', source });

/** The CACTI figures of SATA's global buffer partitions: read / write pJ per 8-bit access, leakage mW per bank. */
const PARTITIONS = [
  ['spikes', 2.75, 2.506, 0.5],
  ['membrane', 8.991, 7.889, 3.15],
  ['weights', 6.529, 5.893, 1.84],
  ['gradients', 3.936, 3.462, 0.93],
  ['misc', 1.176, 1.129, 0.14],
] as const;
const BANKS = 16;

const entries: EnergyTableEntry[] = [
  op('pe', 'mac', PRIMITIVE.multiply + PRIMITIVE.accumulate, `${SIM}: multiply 0.239 + accumulate 0.0389`),
  op('pe', 'and_accumulate', PRIMITIVE.and + PRIMITIVE.accumulate, `${SIM}: AND 0.000794 + accumulate 0.0389`),
  { component: 'pe', action: 'gated', picojoules: 0, bits: 16, scaling: 'fixed', source: 'SATA_Sim counts no energy for an operation gated by a zero operand' },
  ...(['add', 'compare', 'mux', 'register', 'shift'] as const).map((a) => op('lif', a, PRIMITIVE[a], `${SIM}: ${a}`)),
  ...(['multiply', 'add', 'mux', 'shift'] as const).map((a) => op('gradientUnit', a, PRIMITIVE[a], `${SIM}: ${a}`)),
  op('encoder', 'compare', PRIMITIVE.compare, `${SIM}: compare`),
  // The vector unit (batch norm, adds, average pooling) is built of the same 32 nm primitives.
  ...(['add', 'multiply', 'shift', 'compare', 'mux', 'and'] as const).map((a) => op('vector', a, PRIMITIVE[a], `${SIM}: ${a} (vector unit)`)),
  op('vector', 'exp', EXP, `composed of ${SIM}: 3 multiply + 2 add + shift (2^(x log2 e), range reduction and a 2nd-order polynomial)`),
  op('vector', 'divide', DIVIDE, `composed of ${SIM}: 3 multiply + add (one Newton-Raphson reciprocal step from a seed table, times the dividend)`),
  // A skipping array's row-index decoder (component-zero-skip): a zero test and a select per row.
  op('indexDecoder', 'compare', PRIMITIVE.compare, `${SIM}: compare (zero test of a row's index)`),
  op('indexDecoder', 'mux', PRIMITIVE.mux, `${SIM}: 2-input mux (selecting the next row)`),
  op('pool', 'compare', PRIMITIVE.compare, `${SIM}: compare`),
  op('pool', 'mux', PRIMITIVE.mux, `${SIM}: 2-input mux (routing a gradient to the window's maximum)`),
  ...(['compare', 'mux', 'register'] as const).map((a) => op('relu', a, PRIMITIVE[a], `${SIM}: ${a} (ReLU of the ANN baseline, hardware-model.md section 7)`)),
  op('scratchpad', 'read', 0.2779, `${SIM}: scratchpad access (1x a 16-bit MAC)`),
  op('scratchpad', 'write', 0.2779, `${SIM}: scratchpad access (1x a 16-bit MAC)`),
  op('arrayNetwork', 'transfer', 0.2779, `${SIM}: an operand forwarded to a PE lands in its scratchpad (1x a 16-bit MAC)`),
  op('globalBuffer', 'read', 1.95, `${SIM}: global buffer access, simple model (7x a 16-bit MAC)`),
  op('globalBuffer', 'write', 1.95, `${SIM}: global buffer access, simple model (7x a 16-bit MAC)`),
  op('dram', 'read', 55.58, `${SIM}: DRAM access (200x a 16-bit MAC)`),
  op('dram', 'write', 55.58, `${SIM}: DRAM access (200x a 16-bit MAC)`),
  ...PARTITIONS.flatMap(([name, read, write]) => [
    { component: `globalBuffer.${name}`, action: 'read', picojoules: read, bits: 8, scaling: 'linear' as const, source: `${CACTI} (${name})` },
    { component: `globalBuffer.${name}`, action: 'write', picojoules: write, bits: 8, scaling: 'linear' as const, source: `${CACTI} (${name})` },
  ]),
];

const leakage: LeakageTableEntry[] = PARTITIONS.map(([name, , , mw]) => ({ component: `globalBuffer.${name}`, milliwatts: mw * BANKS, source: `${CACTI} (${name}): ${mw} mW per bank x ${BANKS} banks` }));

/** `sata-32nm`: SATA_Sim's constants; the global buffer partitions named as in SATA get their CACTI figures. */
export const sata32EnergyModel = defineEnergyTable({
  name: 'sata-32nm',
  version: '1.0.0',
  description: "SATA_Sim's 32 nm energy constants (pJ, 16-bit, scaled by bits/16) and its CACTI figures for the global buffer partitions",
  entries,
  leakage,
});

export const sata32EnergyPlugin = definePlugin({
  name: 'energy-sata32',
  version: '1.0.0',
  description: 'Energy model sata-32nm (SATA_Sim)',
  energyModels: [sata32EnergyModel],
});

export default sata32EnergyPlugin;
