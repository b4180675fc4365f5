/**
 * `@sata/snn`: the functional SNN model whose arithmetic the hardware model counts.
 *
 * Networks
 * - `resolveNetwork(spec)` infers every layer's shapes: `ResolvedLayer` has `kind`
 *   (conv | fc | pool | out), `inShape`/`outShape` ([C,H,W] per sample), `kernel`, `stride`,
 *   `padding`, `weightShape` ([K,C,R,S] or [out,in]) and `fanIn`; `layerGemms(layer, batch)`
 *   gives the forward, backward and weight-gradient GEMM sizes of hardware-model.md section 4.
 *   Impossible shapes throw a ConfigError naming the layer, the expected and the found shape.
 * - `parseNetwork(doc, source)` / `loadNetworkFile(path)` read user networks (JSON or YAML:
 *   `{ name, inputShape: [C,H,W], layers: [{ type: conv, out, kernel, stride, padding }, ...] }`;
 *   the golden-file names `in`, `k`, `pad` are accepted too). `ZOO` holds vgg5, vgg9, vgg11,
 *   vgg16 (CIFAR-10 shapes), digits-cnn and mlp.
 *
 * One BPTT iteration
 * - `runBptt(network, weights, inputs, labels, { T, lam, theta })` with `inputs` one
 *   [batch,C,H,W] typed array per time step (float64 or float32; the weights' dtype must
 *   match) returns `{ loss, logits, correct, layers, densities }`. `layers[i]` is a
 *   `LayerTrace` with `kind`, `layer` (the ResolvedLayer), `numel`, `dW` (summed over batch
 *   and steps) and `steps[t]`:
 *     conv/fc: `{ x, u, s, sg, du, ds, nnz: { x, s, sg, du, ds } }`
 *     pool:    `{ x, s, argmax, ds, nnz: { x, s, ds } }`   (ds: gradient at the pool output)
 *     out:     `{ x, I, dI, nnz: { x, dI } }`
 *   `x` is the very array the layer below produced (its `s`, or the input tensor), not a copy;
 *   conv/fc keep u[t] (computed in place over I[t]), not I[t] itself.
 *   `nnz` are exact nonzero counts over the batch; `densities[i]` gives them as densities per
 *   time step (`perStep[t]`) and over all steps (`overall`), never averaged over layers.
 *   `runForward` is the forward pass alone. `DensityAccumulator` sums counts over iterations.
 * - Kernels (`convForward`, `convBackward`, `linearForward`, `linearBackward`, `poolForward`,
 *   `poolBackward`, `gemm`) work on Float32Array or Float64Array.
 *
 * Inputs and data
 * - Encoders `directEncoder`, `rateEncoder` (EncoderContribution; plugins may add more) and
 *   `encodeSequence(encoder, x, T, rng)` (seeded, one split stream per step).
 * - `loadDigits()`, `digitsSplit(seed)` (1500 / 297), `syntheticDataset({ inputShape, classes,
 *   count, seed })` (source: "synthetic"), `gatherBatch`.
 *
 * Verification and training
 * - `checkGoldenFile(path)` / `parseGolden` + `checkGolden`: the golden-file check behind
 *   `sata reference check`, largest relative error per quantity and layer.
 * - `train(network, { train, test }, options)`: BPTT with Adam or SGD with momentum, test
 *   accuracy and densities per epoch. `initWeights`, `evaluate`, `adam`, `sgd`.
 * - `snnPlugin` registers the encoders and the zoo.
 */
export { alloc, countNonzero, dtypeOf, fromValues, DTYPES, type DType, type FloatArray } from './tensor.js';
export {
  gemm, transpose, convOutSize, im2colT, col2imT, convForward, convForwardT, convBackward, convWeightGrad, convBackwardInput,
  linearForward, linearForwardT, linearBackward, linearWeightGrad, linearBackwardInput, poolForward, poolBackward,
  Workspace, type ConvGeometry,
} from './kernels.js';
export {
  resolveNetwork, layerGemms, parseLayer, parseInputShape, parseNetwork, loadNetworkFile, layerTableOf, networkFromRef, looksLikeNetworkFile, attachParams,
  type Network, type ResolvedLayer, type Shape3,
} from './network.js';
export {
  BUILTIN_LAYER_KINDS, BUILTIN_LAYER_TABLE, KIND_ALIASES, layerTable, convKind, convGemms, convGeometry, fcKind, linearGemms, outKind, lifKind, ifKind,
  batchnormKind, addKind, maxpoolKind, avgpoolKind, sumpoolKind, globalavgpoolKind, liKind, iKind, scaleKind, readoutKind,
  type LayerTable, type ConvAttrs, type LinearAttrs, type LifAttrs, type BatchNormAttrs, type PoolAttrs, type LiAttrs, type ScaleAttrs,
} from './layers/index.js';
export { ZOO } from './zoo.js';
export { summarizeNetwork, type NetworkSummary, type LayerSummary } from './summary.js';
export { parseRunInput, runNetwork, type NetworkRun, type LayerRun, type StepOutput } from './network-run.js';
export {
  runBptt, runForward, countCorrect, layerDensities, DensityAccumulator,
  type Weights, type LifParams, type BpttOptions, type BpttResult, type LayerTrace, type StepCounts, type DensityFigures, type LayerDensity,
} from './bptt.js';
export { directEncoder, rateEncoder, BUILTIN_ENCODERS, encodeSequence } from './encoders.js';
export { loadDigits, digitsSplit, splitDataset, subset, syntheticDataset, gatherBatch, DIGITS_TRAIN, type Dataset, type Split, type SyntheticOptions } from './data.js';
export {
  checkGoldenFile, checkGolden, compareGolden, parseGolden, loadGolden, GOLDEN_TOLERANCE, TIE_MARGIN,
  type GoldenCase, type GoldenReport, type QuantityError,
} from './golden.js';
export {
  train, evaluate, initWeights, storeBuffers, adam, sgd, scheduledLr, DEFAULT_LR, type Gradients,
  type Optimizer, type OptimizerName, type LrSchedule, type TrainOptions, type EpochRecord, type TrainResult, type EvalOptions,
} from './train.js';
export { snnPlugin } from './plugin.js';
export { BUILTIN_ALGORITHMS, algorithmFor, bpttAlgorithm, tbpttAlgorithm, slttAlgorithm, otttAlgorithm, checkpointAlgorithm } from './algorithms/index.js';
export { functionalModelBytes, checkFunctionalModelFits, type FunctionalModelSize } from './memory.js';
