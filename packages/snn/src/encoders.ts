/**
 * Spike encoders (snn-model.md, "Input encoding"). `direct` feeds the analog input at every
 * step (the first layer multiplies real values); `rate` draws a Bernoulli spike with
 * probability x per value and step (the first layer accumulates AND-gated weights). Plugins
 * may add more through the registry; `encodeSequence` drives any of them.
 */
import type { Rng } from '@sata/core';
import type { EncoderContribution } from '@sata/plugin-api';
import { alloc, dtypeOf, type DType, type FloatArray } from './tensor.js';

export const directEncoder: EncoderContribution = {
  name: 'direct',
  version: '1.0.0',
  description: 'Direct (analog) coding: the input, scaled to [0, 1], is fed unchanged at every time step; the first layer multiplies real values',
  firstLayerOperation: 'multiply',
  encode(x, _t, _rng, out) {
    for (let i = 0; i < out.length; i++) out[i] = x[i]!;
  },
};

export const rateEncoder: EncoderContribution = {
  name: 'rate',
  version: '1.0.0',
  description: 'Rate (Bernoulli) coding: at every time step each input value x in [0, 1] becomes a spike with probability x; the first layer accumulates AND-gated weights',
  firstLayerOperation: 'and-accumulate',
  encode(x, _t, rng, out) {
    for (let i = 0; i < out.length; i++) out[i] = rng.nextFloat() < x[i]! ? 1 : 0;
  },
};

export const BUILTIN_ENCODERS: readonly EncoderContribution[] = [directEncoder, rateEncoder];

/**
 * The T input tensors of a batch: time step t draws from `rng.split("t<t>")`, so that each
 * step's spikes depend only on the seed, the stream's path and t.
 */
export function encodeSequence(encoder: EncoderContribution, x: FloatArray, T: number, rng: Rng, dtype: DType = dtypeOf(x)): FloatArray[] {
  const out: FloatArray[] = [];
  for (let t = 0; t < T; t++) {
    const o = alloc(dtype, x.length);
    encoder.encode(x, t, rng.split(`t${t}`), o);
    out.push(o);
  }
  return out;
}
