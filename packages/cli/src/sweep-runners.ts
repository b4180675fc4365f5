import { fileURLToPath } from 'node:url';
import { ConfigError, type Config } from '@sata/core';
import type { Registry } from '@sata/plugin-api';
import type { BaseConfig, RunnerSpec } from '@sata/sweep';
import { registryArchitectures } from '@sata/hw';
import { acceleratorFor, networkFor, resolveConfig, type ResolvedConfig } from '@sata/training';

/**
 * The simulation runners of `sata sweep`: `compare` (the default) and `simulate`. They are
 * registered by the CLI rather than by @sata/sweep because the CLI owns the built-in plugin
 * list; the sweep package imports neither @sata/training nor @sata/cli (no cycle), and
 * workers load `sweep-point.js` by path.
 */
export const SIMULATION_RUNNERS = ['compare', 'simulate'] as const;

/** The compiled module workers import (from the TypeScript sources under vitest, the built one in dist/). */
function pointModuleUrl(): string {
  const here = fileURLToPath(import.meta.url);
  return (here.endsWith('.ts') ? new URL('../dist/sweep-point.js', import.meta.url) : new URL('./sweep-point.js', import.meta.url)).href;
}

/**
 * Everything about one point that can be checked before any point runs: the settings (types
 * and ranges), the network (a zoo name or a readable file), the dataflow and energy model
 * (registered). What only a run can tell (e.g. a dataflow the architecture cannot use) fails
 * that point with the simulator's own message and exit code.
 */
function checker(registry: () => Registry): (config: Config<BaseConfig>) => void {
  const networks = new Set<string>();
  return (config) => {
    const r = registry();
    const cfg: ResolvedConfig = resolveConfig(config, 'sweep point', registryArchitectures(r));
    acceleratorFor(cfg, r);
    if (!networks.has(cfg.network)) {
      networkFor(cfg, r);
      networks.add(cfg.network);
    }
    r.get('dataflows', cfg.dataflow);
    r.get('energyModels', cfg.energyModel);
  };
}

export function simulationRunners(registry: () => Registry): RunnerSpec[] {
  const module = pointModuleUrl();
  const resolveBase = (partial: BaseConfig): BaseConfig => resolveConfig(partial, 'base configuration', registryArchitectures(registry())) as unknown as BaseConfig;
  return [
    {
      name: 'compare',
      description: 'sata compare per point: SNN BPTT on SATA (sparsity-aware and unaware) against the ANN on the Eyeriss-like baseline, a ComparisonResult',
      module,
      exportName: 'comparePoint',
      resolveBase,
      check: checker(registry),
      load: async () => (await import('./sweep-point.js')).comparePoint as never,
    },
    {
      name: 'simulate',
      description: 'sata simulate per point: one training iteration of the configured architecture, a TrainingResult',
      module,
      exportName: 'simulatePoint',
      resolveBase,
      check: checker(registry),
      load: async () => (await import('./sweep-point.js')).simulatePoint as never,
    },
  ];
}

/** Parameters a comparison sets itself: sweeping them would give identical points. */
export function checkCompareParams(params: readonly string[]): void {
  for (const p of params) {
    if (p === 'arch' || p === 'sparsity.gating') throw new ConfigError(`--param ${p}: the compare runner runs both (SNN on SATA aware and unaware, the ANN on the baseline); sweep ${p} with --runner simulate`);
  }
}
