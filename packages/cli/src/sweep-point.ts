/**
 * What one `sata sweep` point runs with the simulation runners: a worker thread imports this
 * module by path (packages/cli/dist/sweep-point.js) and calls `simulatePoint` or
 * `comparePoint` with the point's resolved configuration.
 *
 * It lives in the CLI package because the CLI is where the built-in plugin list is composed
 * (registry.ts): @sata/sweep stays a generic engine that knows no simulator, and this module
 * imports only @sata/training and the registry, never the CLI's commands, so loading it in a
 * worker costs the plugins and nothing else. Each worker builds its registry once.
 */
import type { Config } from '@sata/core';
import type { ComparisonResult, Registry, TrainingResult } from '@sata/plugin-api';
import { registryArchitectures } from '@sata/hw';
import { compareTraining, resolveConfig, simulateTraining } from '@sata/training';
import { builtinRegistry } from './registry.js';

let registry: Registry | undefined;

function pointConfig(config: Config<Record<string, unknown>>): ReturnType<typeof resolveConfig> {
  // The sweep derived this from a resolved base; resolving again validates the swept values.
  return resolveConfig(config, 'sweep point', registryArchitectures((registry ??= builtinRegistry())));
}

/** One training iteration (`sata simulate --json` of this configuration). */
export function simulatePoint(config: Config<Record<string, unknown>>): TrainingResult {
  return simulateTraining(pointConfig(config), (registry ??= builtinRegistry())).result;
}

/** SNN on SATA (sparsity-aware and unaware) against the ANN baseline (`sata compare --json`). */
export function comparePoint(config: Config<Record<string, unknown>>): ComparisonResult {
  return compareTraining(pointConfig(config), (registry ??= builtinRegistry())).result;
}
