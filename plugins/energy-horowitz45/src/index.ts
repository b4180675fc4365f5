import { definePlugin, defineEnergyTable, type EnergyTableEntry } from '@sata/plugin-api';

/**
 * Horowitz, "Computing's energy problem", ISSCC 2014, 45 nm. Arithmetic figures are per
 * operation at the width given; an action of another width takes the next figure up
 * (not interpolated: multiplier energy is far from linear in the width). Memory figures
 * are per 64-bit access and scale with the bits moved.
 */
const SRC = 'Horowitz ISSCC 2014, 45 nm';
const fixed = (component: string, action: string, bits: number, picojoules: number, what: string): EnergyTableEntry => ({ component, action, picojoules, bits, scaling: 'fixed', source: `${SRC}: ${what}` });
const per64 = (component: string, action: string, picojoules: number, what: string): EnergyTableEntry => ({ component, action, picojoules, bits: 64, scaling: 'linear', source: `${SRC}: ${what}` });

const INT_ADD = [[8, 0.03], [16, 0.05], [32, 0.1]] as const;
const INT_MULT = [[8, 0.2], [32, 3.1]] as const;

/**
 * Softmax's exp and divide, which the table has no figure for, as the same compositions as
 * in sata-32nm: exp 3 multiplies + 2 adds (the shift by the integer part left out: the
 * table has no shifter), divide 3 multiplies + an add (a Newton-Raphson reciprocal step
 * and the product). AND has no figure: it stays unpriced.
 */
const composed = (mults: number, adds: number): [number, number][] => INT_MULT.map(([b, m], i) => [b, mults * m + adds * INT_ADD[i === 0 ? 0 : 2][1]]);

const entries: EnergyTableEntry[] = [
  // A MAC is an integer multiply plus an add of the same width; AND-accumulate is the add.
  fixed('pe', 'mac', 8, INT_MULT[0][1] + INT_ADD[0][1], '8-bit int multiply 0.2 + add 0.03'),
  fixed('pe', 'mac', 32, INT_MULT[1][1] + INT_ADD[2][1], '32-bit int multiply 3.1 + add 0.1'),
  ...INT_ADD.map(([b, pj]) => fixed('pe', 'and_accumulate', b, pj, `${b}-bit int add`)),
  fixed('pe', 'gated', 32, 0, 'a clock-gated PE does no operation'),
  ...(['lif', 'gradientUnit', 'vector'] as const).flatMap((c) => INT_ADD.map(([b, pj]) => fixed(c, 'add', b, pj, `${b}-bit int add`))),
  ...(['lif', 'encoder', 'pool'] as const).flatMap((c) => INT_ADD.map(([b, pj]) => fixed(c, 'compare', b, pj, `${b}-bit int add (a compare is a subtraction)`))),
  ...(['gradientUnit', 'vector'] as const).flatMap((c) => INT_MULT.map(([b, pj]) => fixed(c, 'multiply', b, pj, `${b}-bit int multiply`))),
  ...composed(3, 2).map(([b, pj]) => fixed('vector', 'exp', b, pj, `${b}-bit exp composed of 3 int multiplies + 2 adds`)),
  ...composed(3, 1).map(([b, pj]) => fixed('vector', 'divide', b, pj, `${b}-bit divide composed of 3 int multiplies + 1 add (Newton-Raphson)`)),
  per64('scratchpad', 'read', 10, '8 KiB SRAM read, 10 pJ per 64 bits (the smallest SRAM in the table: an upper bound for a register file)'),
  per64('scratchpad', 'write', 10, '8 KiB SRAM access, 10 pJ per 64 bits (the smallest SRAM in the table: an upper bound for a register file)'),
  per64('globalBuffer', 'read', 20, '32 KiB SRAM read, 20 pJ per 64 bits'),
  per64('globalBuffer', 'write', 20, '32 KiB SRAM access, 20 pJ per 64 bits'),
  per64('dram', 'read', 1950, 'DRAM 1.3-2.6 nJ per 64 bits: the midpoint 1.95 nJ'),
  per64('dram', 'write', 1950, 'DRAM 1.3-2.6 nJ per 64 bits: the midpoint 1.95 nJ'),
];

export const horowitzEnergyModel = defineEnergyTable({
  name: 'horowitz-45nm',
  version: '1.0.0',
  description: 'Horowitz (ISSCC 2014) 45 nm per-operation and per-access energies',
  entries,
});

export const horowitzEnergyPlugin = definePlugin({
  name: 'energy-horowitz45',
  version: '1.0.0',
  description: 'Energy model horowitz-45nm',
  energyModels: [horowitzEnergyModel],
});

export default horowitzEnergyPlugin;
