import { deriveConfig } from '@sata/core';
import type { AlgorithmComparisonResult, ComparisonResult, Registry } from '@sata/plugin-api';
import type { ResolvedConfig } from './config.js';
import { acceleratorFor, networkFor, simulateTraining, type RunOptions, type TrainingRun } from './run.js';
import { measure } from './measure.js';

export const SPARSITY_GAIN_DEFINITION =
  'computation energy (PE operations, LIF and gradient units) of one SNN training iteration on SATA without sparsity (no operation gated) divided by the same with sparsity (zero spikes, zero firing gradients and zero membrane gradients gate their operations); same hardware, same schedule';
export const SNN_OVER_ANN_DEFINITION =
  'total energy (computation, data movement, leakage) of one SNN BPTT training iteration on SATA (sparsity-aware) divided by that of one training iteration of the same network as an ANN (ReLU, 16-bit) on the Eyeriss-like baseline with the same array, memories, mapping and energy model (the ANN has no time steps to batch: it runs the same mapping without batching, so sata runs as ws)';

export interface ComparisonRuns {
  readonly result: ComparisonResult;
  readonly aware: TrainingRun;
  readonly unaware: TrainingRun;
  readonly ann: TrainingRun;
}

/**
 * The configurations of a comparison's three runs: the SNN sparsity-aware and unaware on
 * the base's architecture when it trains the SNN (else on sata), the ANN on the base's
 * architecture when it trains the ANN (else on eyeriss).
 */
export function comparisonConfigs(base: ResolvedConfig, registry: Registry): [snn: ResolvedConfig, unaware: ResolvedConfig, ann: ResolvedConfig] {
  const snnBase = acceleratorFor(base, registry).workload === 'snn';
  const snn = deriveConfig(base, (d) => {
    d.arch = snnBase ? base.arch : 'sata';
    d.sparsity.gating = true;
  });
  const unaware = deriveConfig(snn, (d) => {
    d.sparsity.gating = false;
  });
  const ann = deriveConfig(base, (d) => {
    d.arch = snnBase ? 'eyeriss' : base.arch;
  });
  return [snn, unaware, ann];
}

/**
 * The paper's two headline comparisons from three simulated iterations: the SNN on SATA
 * with and without sparsity, and the ANN on the Eyeriss-like baseline. In measured mode the
 * functional model runs once and drives both SNN runs.
 */
export function compareTraining(base: ResolvedConfig, registry: Registry, opts: RunOptions = {}): ComparisonRuns {
  const [snnCfg, unawareCfg, annCfg] = comparisonConfigs(base, registry);
  const measurement = snnCfg.sparsity.mode === 'measured' ? (opts.measurement ?? measure(networkFor(snnCfg, registry), snnCfg, registry, opts.progress)) : undefined;
  const aware = simulateTraining(snnCfg, registry, { ...opts, measurement });
  const unaware = simulateTraining(unawareCfg, registry, { ...opts, measurement });
  const ann = simulateTraining(annCfg, registry, opts);
  const result: ComparisonResult = {
    kind: 'comparison',
    sparsityGain: { value: unaware.result.energyPJ.compute / aware.result.energyPJ.compute, definition: SPARSITY_GAIN_DEFINITION, paper: 5.58, aware: aware.result, unaware: unaware.result },
    snnOverAnn: { value: aware.result.energyPJ.total / ann.result.energyPJ.total, definition: SNN_OVER_ANN_DEFINITION, paper: 1.27, snn: aware.result, ann: ann.result },
  };
  return { result, aware, unaware, ann };
}

/**
 * One SNN training iteration on SATA per training algorithm (same network, T, hardware and
 * sparsity), and the ANN once: what each algorithm saves and costs.
 */
export function compareAlgorithms(base: ResolvedConfig, registry: Registry, algorithms: readonly string[], opts: RunOptions = {}): AlgorithmComparisonResult {
  // The architectures of a comparison: the SNN's and the ANN's (comparisonConfigs).
  const [snn, , annCfg] = comparisonConfigs(base, registry);
  const runs = algorithms.map((algorithm) => {
    const cfg = deriveConfig(snn, (d) => {
      d.sparsity.gating = base.sparsity.gating;
      d.algorithm = algorithm;
    });
    return { algorithm, result: simulateTraining(cfg, registry, opts).result };
  });
  const ann = simulateTraining(annCfg, registry, opts).result;
  return { kind: 'algorithm-comparison', network: ann.network, timesteps: base.timesteps, ann, runs };
}
