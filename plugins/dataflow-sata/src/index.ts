import { definePlugin, defineSystolicDataflow } from '@sata/plugin-api';

/**
 * SATA's time-batched dataflow (SATA_Sim's `sata`): weight stationary, with a layer's T
 * time steps stacked into one GEMM wherever the dependencies allow (the input spikes of
 * every step are known once the previous layer has run all of them; the LIF and gradient
 * units stay sequential in t). Each weight tile is then loaded into the array once per
 * layer and stage instead of once per time step, at the price of holding the currents,
 * potentials and gradients of all T steps at once.
 */
export const sataDataflow = defineSystolicDataflow({
  name: 'sata',
  version: '1.0.0',
  description: 'weight stationary with the T time steps of a layer batched into one GEMM (weights loaded once per layer and stage)',
  mapping: { rows: 'K', cols: 'N', time: 'M', foldOrder: 'cols-outer' },
  batchesTime: true,
  differences: [
    'per GEMM identical to ws (same fold algebra); the training schedule stacks the T steps of a layer into M (forward, backward) or K (weight gradient)',
  ],
});

/**
 * `sata` with the streamed rows split so that a column fold's partial sums fit in the
 * output partition's free space (the hardware says how many rows fit, PlanHints): a piece
 * of rows runs through every row fold before the next piece starts, so partial sums never
 * go to DRAM; the price is loading the stationary weights into the PEs again for every
 * piece (2R cycles and R x C weight reads from the buffer per extra fold).
 */
export const sataTiledDataflow = defineSystolicDataflow({
  name: 'sata-tiled',
  version: '1.0.0',
  description: 'sata with the streamed rows split so that partial sums stay on chip (weights loaded again per piece)',
  mapping: { rows: 'K', cols: 'N', time: 'M', foldOrder: 'cols-outer' },
  batchesTime: true,
  tilesTime: true,
  differences: [
    'the streamed dimension is cut into pieces that fit the output buffer, each piece a fold of its own (SCALE-Sim streams all of it in one fold)',
  ],
});

export const sataDataflowPlugin = definePlugin({
  name: 'dataflow-sata',
  version: '1.1.0',
  description: 'The time-batched weight-stationary dataflows of SATA: sata, and sata-tiled which keeps partial sums on chip',
  dataflows: [sataDataflow, sataTiledDataflow],
});

export default sataDataflowPlugin;
