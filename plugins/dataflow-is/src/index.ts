import { definePlugin, defineSystolicDataflow } from '@sata/plugin-api';

/**
 * Input stationary: ifmap (m, k) is held by PE (k mod R, m mod C); the filter streams in
 * along the rows, one output channel per cycle, and partial sums flow down the columns.
 * Sr = K, Sc = M, T = N; a fold takes 2R + C + T - 2 cycles (R to shift the inputs in).
 * Columns outer, so the partial sums of one column fold stay on chip.
 */
export const isDataflow = defineSystolicDataflow({
  name: 'is',
  version: '1.0.0',
  description: 'input stationary: inputs stay in the PEs, filter along rows, partial sums down columns (SCALE-Sim v2 compatible)',
  mapping: { rows: 'K', cols: 'M', time: 'N', foldOrder: 'cols-outer' },
  differences: [
    'cycles: folds * (2R + C + T - 2), one more than SCALE-Sim v2 reports (its issue #125)',
    'partial sums: every row fold after the first reads the previous partial sums back from SRAM to add onto them (sramReads.psum); SCALE-Sim writes them and never reads them back',
  ],
});

export const isDataflowPlugin = definePlugin({
  name: 'dataflow-is',
  version: '1.0.0',
  description: 'The input-stationary dataflow',
  dataflows: [isDataflow],
});

export default isDataflowPlugin;
