import { Rng } from '@sata/core';
import {
  alloc, convBackwardInput, convForward, convWeightGrad, digitsSplit, directEncoder, encodeSequence, gatherBatch, initWeights, linearBackwardInput,
  linearForward, linearWeightGrad, resolveNetwork, runBptt, Workspace, ZOO, convGeometry, type ConvAttrs, type ConvGeometry, type DType, type FloatArray, type ResolvedLayer,
} from '@sata/snn';
import type { BenchCase, BenchSuite } from '../harness.js';

/**
 * Functional-model kernels on VGG5's conv and fc layers (CIFAR-10 shapes): forward,
 * backward to the input and weight gradient, float32 and float64, reported as GFLOP/s
 * (2 flops per multiply-add of the dense GEMM). Operands are dense random values, so the
 * kernels' zero skipping does not help: this is the worst case. One more case shows the
 * forward pass on spikes of density 0.2, and one a whole BPTT iteration of digits-cnn.
 */
const BATCH = 8;

function random(dtype: DType, n: number, rng: Rng, density = 1): FloatArray {
  const a = alloc(dtype, n);
  for (let i = 0; i < n; i++) a[i] = density >= 1 || rng.nextFloat() < density ? (density >= 1 ? rng.nextFloat() * 2 - 1 : 1) : 0;
  return a;
}

function layerCases(l: ResolvedLayer, dtype: DType): BenchCase[] {
  const rng = new Rng(1, `bench.${l.name}.${dtype}`);
  const ws = new Workspace();
  const x = random(dtype, BATCH * l.inSize, rng);
  const w = random(dtype, l.weightCount, rng);
  const y = alloc(dtype, BATCH * l.outSize);
  const dy = random(dtype, BATCH * l.outSize, rng);
  const dx = alloc(dtype, BATCH * l.inSize);
  const dw = alloc(dtype, l.weightCount);
  const fanIn = l.weightCount / l.outShape[0];
  const gflop = (2 * BATCH * l.outSize * fanIn) / 1e9;
  const name = (op: string) => `vgg5-${l.name}-${op}-${dtype}`;
  const base = { unitsPerCall: gflop, rateName: 'GFLOPperSecond', extra: () => ({ layer: l.name, batch: BATCH, dtype, gflopPerCall: gflop }) };
  if (l.kind === 'conv') {
    const g: ConvGeometry = convGeometry(l as unknown as ResolvedLayer<ConvAttrs>, BATCH);
    const cases: BenchCase[] = [
      { ...base, name: name('forward'), fn: () => convForward(g, x, w, y, ws) },
      { ...base, name: name('backward'), fn: () => convBackwardInput(g, w, dy, dx, ws) },
      { ...base, name: name('weightgrad'), fn: () => convWeightGrad(g, x, dy, dw, ws) },
    ];
    if (l.index > 0 && dtype === 'float32') {
      const spikes = random(dtype, BATCH * l.inSize, rng, 0.2);
      cases.push({ ...base, name: name('forward-spikes0.2'), fn: () => convForward(g, spikes, w, y, ws) });
    }
    return cases;
  }
  return [
    { ...base, name: name('forward'), fn: () => linearForward(BATCH, l.inSize, l.outSize, x, w, y, ws) },
    { ...base, name: name('backward'), fn: () => linearBackwardInput(BATCH, l.inSize, l.outSize, w, dy, dx) },
    { ...base, name: name('weightgrad'), fn: () => linearWeightGrad(BATCH, l.inSize, l.outSize, x, dy, dw) },
  ];
}

function bpttStep(): BenchCase {
  const net = resolveNetwork(ZOO.find((z) => z.name === 'digits-cnn')!);
  const { train } = digitsSplit(0);
  const B = 64;
  const T = 4;
  const { x, labels } = gatherBatch(train, [...Array(B).keys()], 'float32');
  const inputs = encodeSequence(directEncoder, x, T, new Rng(1));
  const weights = initWeights(net, { seed: 1, dtype: 'float32' });
  const ws = new Workspace();
  return {
    name: 'digits-cnn-bptt-step-b64-T4-float32',
    unitsPerCall: 1,
    rateName: 'iterationsPerSecond',
    fn: () => void runBptt(net, weights, inputs, labels, { T, lam: 0.9, theta: 1, workspace: ws }),
    extra: () => ({ batch: B, T, samplesPerIteration: B }),
  };
}

export const snnSuite: BenchSuite = {
  name: 'snn',
  cases: () => {
    const vgg5 = resolveNetwork(ZOO.find((z) => z.name === 'vgg5')!);
    // The weighted layers (their kernels are what this suite measures).
    const layers = vgg5.layers.filter((l) => l.def.gemms !== undefined);
    return [...(['float32', 'float64'] as const).flatMap((dt) => layers.flatMap((l) => layerCases(l, dt))), bpttStep()];
  },
};
