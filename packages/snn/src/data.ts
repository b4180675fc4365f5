/**
 * Data sets: the UCI hand-written digits shipped in `data/` (see data/ORIGIN.md), a
 * deterministic train/test split, and a synthetic generator for any input shape. Every data
 * set says where it comes from in `source`; synthetic data is always labelled "synthetic".
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ConfigError, Rng } from '@sata/core';
import type { Shape3 } from './network.js';
import { alloc, type DType, type FloatArray } from './tensor.js';

export interface Dataset {
  readonly name: string;
  /** Where the values come from: `uci-digits` (real, shipped) or `synthetic` (generated). */
  readonly source: 'uci-digits' | 'synthetic';
  readonly description: string;
  /** [C, H, W] of one sample. */
  readonly inputShape: Shape3;
  readonly classes: number;
  readonly count: number;
  /** count x C*H*W values in [0, 1], row-major per sample. */
  readonly x: Float64Array;
  readonly labels: Int32Array;
}

export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
}

const DIGITS_URL = new URL('../data/digits.csv.gz', import.meta.url);

/** Train/test sizes of the digits split (as the PyTorch reference: 1500 / 297). */
export const DIGITS_TRAIN = 1500;

/** The 1797 UCI digits: 8x8 pixels scaled from 0..16 to [0, 1], labels 0..9. */
export function loadDigits(): Dataset {
  let text: string;
  try {
    text = gunzipSync(readFileSync(DIGITS_URL)).toString('utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the digits data set at ${DIGITS_URL.pathname}: ${(e as Error).message}`);
  }
  const rows = text.split('\n').filter((r) => r.trim() !== '');
  const size = 64;
  const x = new Float64Array(rows.length * size);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    const v = row.split(',').map(Number);
    if (v.length !== size + 1 || v.some((n) => !Number.isInteger(n)) || v[size]! < 0 || v[size]! > 9) {
      throw new ConfigError(`${DIGITS_URL.pathname}: row ${i + 1} is not 64 pixels and a label 0..9`);
    }
    for (let p = 0; p < size; p++) x[i * size + p] = v[p]! / 16;
    labels[i] = v[size]!;
  });
  return {
    name: 'digits',
    source: 'uci-digits',
    description: 'UCI optical recognition of hand-written digits (E. Alpaydin, 1998), as shipped with scikit-learn: 8x8 pixels, 10 classes',
    inputShape: [1, 8, 8],
    classes: 10,
    count: rows.length,
    x,
    labels,
  };
}

/** The samples at `indices`, as a new data set. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name: string): Dataset {
  const size = ds.inputShape[0] * ds.inputShape[1] * ds.inputShape[2];
  const x = new Float64Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    x.set(ds.x.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = ds.labels[j]!;
  }
  return { ...ds, name, count: indices.length, x, labels };
}

/** A deterministic shuffled split: the first `trainCount` of a seeded permutation train, the rest test. */
export function splitDataset(ds: Dataset, trainCount: number, seed: number): Split {
  if (!Number.isInteger(trainCount) || trainCount < 1 || trainCount >= ds.count) throw new ConfigError(`train size must be in 1..${ds.count - 1}, found ${trainCount}`);
  const order = new Rng(seed, `data.${ds.name}.split`).shuffle([...Array(ds.count).keys()]);
  return { train: subset(ds, order.slice(0, trainCount), `${ds.name}-train`), test: subset(ds, order.slice(trainCount), `${ds.name}-test`) };
}

/** The digits split 1500 / 297 (seeded; seed 0 by default). */
export function digitsSplit(seed = 0): Split {
  return splitDataset(loadDigits(), DIGITS_TRAIN, seed);
}

export interface SyntheticOptions {
  readonly inputShape: Shape3;
  readonly classes: number;
  readonly count: number;
  readonly seed: number;
  /** Per-pixel noise amplitude around the class prototype (default 0.25). */
  readonly noise?: number;
}

/**
 * Synthetic data for any input shape (for example CIFAR-10's 3x32x32, which is not shipped):
 * one random prototype image per class, each sample its prototype plus uniform noise, clipped
 * to [0, 1]. Deterministic from the seed; `source` is "synthetic". Useful to drive the model
 * with plausible activity, never as a measurement of accuracy on a real task.
 */
export function syntheticDataset(o: SyntheticOptions): Dataset {
  const [C, H, W] = o.inputShape;
  const size = C * H * W;
  if (!Number.isInteger(o.count) || o.count < 1) throw new ConfigError(`synthetic data: count must be a positive integer, found ${o.count}`);
  if (!Number.isInteger(o.classes) || o.classes < 2) throw new ConfigError(`synthetic data: classes must be an integer >= 2, found ${o.classes}`);
  const noise = o.noise ?? 0.25;
  const rng = new Rng(o.seed, 'data.synthetic');
  const protoRng = rng.split('prototypes');
  const protos = new Float64Array(o.classes * size);
  for (let i = 0; i < protos.length; i++) protos[i] = protoRng.nextFloat();
  const sampleRng = rng.split('samples');
  const x = new Float64Array(o.count * size);
  const labels = new Int32Array(o.count);
  for (let n = 0; n < o.count; n++) {
    const y = sampleRng.nextInt(o.classes);
    labels[n] = y;
    for (let p = 0; p < size; p++) {
      const v = protos[y * size + p]! + noise * (2 * sampleRng.nextFloat() - 1);
      x[n * size + p] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return {
    name: `synthetic-${C}x${H}x${W}`,
    source: 'synthetic',
    description: `synthetic: ${o.classes} random class prototypes of ${C}x${H}x${W} plus uniform noise ±${noise} (seed ${o.seed}); not real data`,
    inputShape: o.inputShape,
    classes: o.classes,
    count: o.count,
    x,
    labels,
  };
}

/** The analog inputs and labels of the samples at `indices`, in `dtype`. */
export function gatherBatch(ds: Dataset, indices: ArrayLike<number>, dtype: DType): { x: FloatArray; labels: Int32Array } {
  const size = ds.inputShape[0] * ds.inputShape[1] * ds.inputShape[2];
  const x = alloc(dtype, indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    x.set(ds.x.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = ds.labels[j]!;
  }
  return { x, labels };
}
