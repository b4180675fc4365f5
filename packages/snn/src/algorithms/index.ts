/** The training algorithms: one module each, registered by the snn plugin. */
import { ConfigError } from '@sata/core';
import type { AlgorithmContribution, AlgorithmInstance, Registry } from '@sata/plugin-api';
import { bpttAlgorithm } from './bptt.js';
import { checkpointAlgorithm } from './checkpoint.js';
import { layerCheckpointAlgorithm } from './layer-checkpoint.js';
import { otttAlgorithm } from './ottt.js';
import { slttAlgorithm } from './sltt.js';
import { tbpttAlgorithm } from './tbptt.js';

export const BUILTIN_ALGORITHMS: readonly AlgorithmContribution[] = [bpttAlgorithm, tbpttAlgorithm, slttAlgorithm, otttAlgorithm, checkpointAlgorithm, layerCheckpointAlgorithm];

/** `name` or `name:param` through a registry (or the built-ins), for T steps. */
export function algorithmFor(spec: string, T: number, seed: number, registry?: Registry, where = 'algorithm'): AlgorithmInstance {
  const i = spec.indexOf(':');
  const name = i < 0 ? spec : spec.slice(0, i);
  const param = i < 0 ? undefined : spec.slice(i + 1);
  const all = registry ? registry.list('algorithms').map((e) => e.contribution as AlgorithmContribution) : BUILTIN_ALGORITHMS;
  const a = all.find((x) => x.name === name);
  if (!a) throw new ConfigError(`${where}: unknown training algorithm "${name}" (known: ${all.map((x) => x.name).join(', ')}; parameters as name:K)`);
  return a.instantiate(param, T, seed, where);
}

export { bpttAlgorithm, tbpttAlgorithm, slttAlgorithm, otttAlgorithm, checkpointAlgorithm, layerCheckpointAlgorithm };
