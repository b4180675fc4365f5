import { definePlugin, defineSystolicDataflow } from '@sata/plugin-api';

/**
 * Weight stationary: filter (k, n) is held by PE (k mod R, n mod C); the ifmap streams in
 * along the rows, one GEMM row per cycle, and partial sums flow down the columns. Sr = K,
 * Sc = N, T = M; a fold takes 2R + C + T - 2 cycles (R to shift the weights in). Columns
 * outer: the partial sums of one column fold stay on chip while its row folds accumulate.
 */
export const wsDataflow = defineSystolicDataflow({
  name: 'ws',
  version: '1.0.0',
  description: 'weight stationary: weights stay in the PEs, ifmap along rows, partial sums down columns (SCALE-Sim v2 compatible)',
  mapping: { rows: 'K', cols: 'N', time: 'M', foldOrder: 'cols-outer' },
  differences: [
    'cycles: folds * (2R + C + T - 2), one more than SCALE-Sim v2 reports (its issue #125)',
    'partial sums: every row fold after the first reads the previous partial sums back from SRAM to add onto them (sramReads.psum); SCALE-Sim writes them and never reads them back',
  ],
});

export const wsDataflowPlugin = definePlugin({
  name: 'dataflow-ws',
  version: '1.0.0',
  description: 'The weight-stationary dataflow',
  dataflows: [wsDataflow],
});

export default wsDataflowPlugin;
