import { definePlugin } from '@sata/plugin-api';
import { BUILTIN_ALGORITHMS } from './algorithms/index.js';
import { BUILTIN_ENCODERS } from './encoders.js';
import { BUILTIN_LAYER_KINDS } from './layers/index.js';
import { ZOO } from './zoo.js';

/** The SNN model's contributions: the `direct` and `rate` encoders and the network zoo. */
export const snnPlugin = definePlugin({
  name: 'snn',
  version: '0.1.0',
  description: 'Functional SNN model: the layer kinds, spike encoders (direct, rate) and the built-in networks',
  encoders: BUILTIN_ENCODERS,
  layers: BUILTIN_LAYER_KINDS,
  algorithms: BUILTIN_ALGORITHMS,
  networks: ZOO.map((spec) => ({ name: spec.name, version: '1.0.0', description: spec.description ?? spec.name, spec })),
});
