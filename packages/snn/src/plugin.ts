import { definePlugin } from '@sata/plugin-api';
import { BUILTIN_ENCODERS } from './encoders.js';
import { ZOO } from './zoo.js';

/** The SNN model's contributions: the `direct` and `rate` encoders and the network zoo. */
export const snnPlugin = definePlugin({
  name: 'snn',
  version: '0.1.0',
  description: 'Functional SNN model: spike encoders (direct, rate) and the built-in networks (VGG5/9/11/16 for CIFAR-10 shapes, digits-cnn, mlp)',
  encoders: BUILTIN_ENCODERS,
  networks: ZOO.map((spec) => ({ name: spec.name, version: '1.0.0', description: spec.description ?? spec.name, spec })),
});
