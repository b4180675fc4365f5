import { ConfigError, Rng } from '@sata/core';
import type { EncoderContribution, MeasurementSummary, Registry } from '@sata/plugin-api';
import { algorithmFor, checkFunctionalModelFits, digitsSplit, encodeSequence, gatherBatch, initWeights, loadDigits, runBptt, syntheticDataset, train, type BpttResult, type Dataset, type Network, type Weights } from '@sata/snn';
import { measuredActivity, type ActivitySource } from './activity.js';
import type { ResolvedConfig } from './config.js';

/** The functional model's BPTT iteration whose tensors drive the hardware model's counts. */
export interface Measurement {
  readonly activity: ActivitySource;
  readonly bptt: BpttResult;
  readonly weights: Weights;
  readonly summary: MeasurementSummary;
}

/**
 * Runs the functional model: the configured data (the UCI digits, or synthetic data of
 * the network's input shape, labelled so), the network's own weights where it carries
 * them (a NIR file's) and otherwise weights initialised from the seed,
 * optionally trained for `sparsity.trainEpochs` epochs, then one BPTT iteration on a
 * batch of `batch` samples whose tensors are measured.
 */
export function measure(net: Network, cfg: ResolvedConfig, registry: Registry, progress?: (m: string) => void): Measurement {
  const encoder = registry.get('encoders', cfg.coding) as EncoderContribution;
  const synthetic = { train: Math.max(256, cfg.batch), test: Math.max(64, cfg.batch) };
  checkFunctionalModelFits(net, { timesteps: cfg.timesteps, batch: cfg.sparsity.trainEpochs > 0 ? Math.max(cfg.batch, 32) : cfg.batch, dtype: 'float32', samples: cfg.dataset === 'digits' ? 0 : synthetic.train + synthetic.test }, 'measured sparsity');
  let split: { train: Dataset; test: Dataset };
  if (cfg.dataset === 'digits') {
    const [C, H, W] = net.inputShape;
    if (C !== 1 || H !== 8 || W !== 8) throw new ConfigError(`dataset digits has 1x8x8 inputs but network ${net.name} expects ${C}x${H}x${W}; use --dataset synthetic`);
    loadDigits();
    split = digitsSplit(cfg.seed);
  } else {
    const make = (count: number, seed: number): Dataset => syntheticDataset({ inputShape: net.inputShape, classes: net.classes, count, seed });
    split = { train: make(synthetic.train, cfg.seed), test: make(synthetic.test, cfg.seed + 1) };
  }
  let weights: Weights = initWeights(net, { seed: cfg.seed, dtype: 'float32' });
  let testAccuracy: number | null = null;
  if (cfg.sparsity.trainEpochs > 0) {
    progress?.(`measured sparsity: training ${net.name} for ${cfg.sparsity.trainEpochs} epoch(s) on ${split.train.name} first`);
    const r = train(net, split, {
      T: cfg.timesteps, lam: cfg.lif.leak, theta: cfg.lif.threshold, epochs: cfg.sparsity.trainEpochs, batch: 32, optimizer: 'adam', seed: cfg.seed, dtype: 'float32', encoder,
      onEpoch: (e) => progress?.(`  epoch ${e.epoch}: test accuracy ${(e.testAccuracy * 100).toFixed(1)}%`),
    });
    weights = r.weights;
    testAccuracy = r.testAccuracy;
  }
  const samples = Math.min(cfg.batch, split.test.count);
  if (samples < cfg.batch) throw new ConfigError(`batch ${cfg.batch} is larger than the ${split.test.count} samples of ${split.test.name}`);
  const idx = Array.from({ length: samples }, (_, i) => i);
  const { x, labels } = gatherBatch(split.test, idx, 'float32');
  const inputs = encodeSequence(encoder, x, cfg.timesteps, new Rng(cfg.seed, 'measure.encoder'));
  progress?.(`measured sparsity: one BPTT iteration of ${net.name}${net.params ? ' (its own weights)' : ''} on ${samples} sample(s) of ${split.test.name}`);
  const algorithm = algorithmFor(cfg.algorithm, cfg.timesteps, cfg.seed, registry, 'algorithm');
  const bptt = runBptt(net, weights, inputs, labels, { T: cfg.timesteps, lam: cfg.lif.leak, theta: cfg.lif.threshold, algorithm });
  return {
    activity: measuredActivity(net, weights, bptt),
    bptt,
    weights,
    summary: {
      dataset: split.test.name,
      dataSource: split.test.source,
      description: split.test.description,
      samples,
      trainEpochs: cfg.sparsity.trainEpochs,
      testAccuracy,
      loss: bptt.loss,
    },
  };
}
