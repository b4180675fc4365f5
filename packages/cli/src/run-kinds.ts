import type { EnergyModelContribution, Registry } from '@sata/plugin-api';
import { boundedBufferRunKind, macArrayRunKind, recostTrace, RunKindRegistry, TraceReader } from '@sata/trace';
import { layerRunKind, recostLayerTrace, LAYER_RUN_KIND } from './runs/layer-kind.js';
import { recostTrainingTrace, simulateRunKind, SIMULATE_RUN_KIND } from './runs/simulate-kind.js';
import { trainRunKind } from './runs/train-kind.js';

/**
 * The runs `sata replay` can rebuild from a trace header: one line per recordable command.
 * `sata compare --trace` writes three `simulate` traces; `sata train --trace` records the
 * functional training as one event per epoch (no action counts).
 */
export function builtinRunKinds(registry: Registry): RunKindRegistry {
  return new RunKindRegistry([boundedBufferRunKind, macArrayRunKind, simulateRunKind(registry), layerRunKind(registry), trainRunKind(registry)]);
}

/**
 * Re-costs a trace with another energy model without simulating: accelerator runs
 * (`simulate`, `layer`) with the figures a fresh run with that model prints; other kinds by
 * summing their records' action counts.
 */
export function recostAnyTrace(path: string, model: EnergyModelContribution, registry: Registry): { runKind: string; result: unknown } {
  const reader = TraceReader.open(path);
  const runKind = reader.header.runKind;
  if (runKind === LAYER_RUN_KIND) return { runKind, result: recostLayerTrace(reader, model, registry) };
  reader.close();
  if (runKind === SIMULATE_RUN_KIND) return { runKind, result: recostTrainingTrace(path, model, registry) };
  return { runKind, result: recostTrace(path, model) };
}
