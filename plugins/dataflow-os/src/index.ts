import { definePlugin, defineSystolicDataflow } from '@sata/plugin-api';

/**
 * Output stationary: output (m, n) stays in PE (m mod R, n mod C) while the ifmap streams
 * in along the rows and the filter down the columns, K steps per fold. Sr = M, Sc = N,
 * T = K; a fold takes R + C + T - 2 cycles. Rows outer: one ifmap tile serves a whole row
 * of column folds.
 */
export const osDataflow = defineSystolicDataflow({
  name: 'os',
  version: '1.0.0',
  description: 'output stationary: outputs stay in the PEs, ifmap along rows and filter down columns (SCALE-Sim v2 compatible)',
  mapping: { rows: 'M', cols: 'N', time: 'K', foldOrder: 'rows-outer' },
  differences: [
    'cycles: folds * (R + C + T - 2), one more than SCALE-Sim v2 reports (its issue #125: a 4x4 output-stationary GEMM takes 10 cycles and is reported as 9)',
    'ofmap writes: M * N; SCALE-Sim adds R + C spurious writes per fold (its issue #166)',
    'drain: the last fold\'s outputs take R more cycles to read out (reported as drainCycles; earlier folds drain while the next one computes)',
  ],
});

export const osDataflowPlugin = definePlugin({
  name: 'dataflow-os',
  version: '1.0.0',
  description: 'The output-stationary dataflow',
  dataflows: [osDataflow],
});

export default osDataflowPlugin;
