import { totalmem } from 'node:os';
import { ConfigError } from '@sata/core';
import type { Network } from './network.js';
import type { DType } from './tensor.js';

export interface FunctionalModelSize {
  readonly timesteps: number;
  readonly batch: number;
  readonly dtype: DType;
  /** Samples of the data set held in memory (float64 each value). */
  readonly samples: number;
}

/**
 * An upper estimate of the bytes the functional model allocates to train `net`: per layer
 * the weights with their gradient, transpose and two optimizer moments (5 copies); per
 * time step and sample the tensors BPTT keeps for the backward pass (of its input and
 * output: 8 values each, covering current, membrane, spike, surrogate and their gradients);
 * a conv's im2col buffer; and the data set itself. Counted in floating point, so that sizes of
 * 1e9 channels give a finite figure rather than an overflow.
 */
export function functionalModelBytes(net: Network, o: FunctionalModelSize): number {
  const value = o.dtype === 'float64' ? 8 : 4;
  let values = 0;
  for (const l of net.layers) {
    values += 5 * l.weightCount;
    values += o.timesteps * o.batch * (8 * (l.inSize + l.outSize));
    // im2col: C*R*S (the weights per output channel) values per output position and sample.
    if (l.kind === 'conv' && l.outShape[0] > 0) values += o.batch * (l.weightCount / l.outShape[0]) * l.outShape[1] * l.outShape[2];
  }
  const data = o.samples * (net.layers[0]?.inSize ?? 0) * 8;
  return values * value + data;
}

/**
 * Refuses a functional model (measured sparsity, `sata train`) whose memory would exceed
 * what this machine has, before anything is allocated; the message gives the estimate.
 */
export function checkFunctionalModelFits(net: Network, o: FunctionalModelSize, where: string): void {
  const need = functionalModelBytes(net, o);
  const have = totalmem();
  if (need > have) {
    const gib = (b: number): string => `${(b / 2 ** 30).toPrecision(3)} GiB`;
    throw new ConfigError(`${where}: the functional model of network ${net.name} (T=${o.timesteps}, batch ${o.batch}, ${o.dtype}, ${o.samples} samples) needs about ${gib(need)}, more than this machine's ${gib(have)} of memory; use a smaller network, batch or T, or statistical sparsity`);
  }
}
