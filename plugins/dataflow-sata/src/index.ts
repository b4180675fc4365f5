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

export const sataDataflowPlugin = definePlugin({
  name: 'dataflow-sata',
  version: '1.0.0',
  description: 'The time-batched weight-stationary dataflow of SATA',
  dataflows: [sataDataflow],
});

export default sataDataflowPlugin;
