import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type Config } from '@sata/core';
import type { ComparisonResult, TrainingResult } from '@sata/plugin-api';
import type { BaseConfig } from './derive.js';
import { resolveStandInConfig, STAND_IN_DESCRIPTION } from './stand-in.js';

export type PointResult = TrainingResult | ComparisonResult;

/** The function that runs one point: a resolved, frozen configuration in, one result out. */
export type RunnerFunction = (config: Config<BaseConfig>) => Promise<PointResult> | PointResult;

/**
 * How `sata sweep` runs one point. Workers import `module` (a `file:` URL, or a package
 * specifier resolvable from this package) and call its export `exportName`. Everything
 * else runs in the main thread.
 */
export interface RunnerSpec {
  readonly name: string;
  readonly description: string;
  readonly module: string;
  readonly exportName: string;
  /**
   * The fully resolved base configuration (every default filled in) from the user's partial
   * one (a `--base` file, or `{}`). Swept and `--set` paths must name scalars of it.
   */
  resolveBase(partial: BaseConfig): BaseConfig;
  /** Optional: rejects one derived configuration with a ConfigError before any point runs. */
  check?(config: Config<BaseConfig>): void;
  /** Optional: loads the function in this thread (in-process runs, `jobs: 0`); default `import(module)`. */
  load?(): Promise<RunnerFunction>;
}

/**
 * Where a module of this package lives as compiled JS. Worker threads run plain JS, so when
 * this file itself runs from TypeScript sources (vitest), the worker and runner modules are
 * taken from `dist/` (build with `npx tsc -b packages/sweep`).
 */
export function distModuleUrl(file: string): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return new URL(`../dist/${file}`, import.meta.url);
  return new URL(`./${file}`, import.meta.url);
}

const standIn: RunnerSpec = {
  name: 'stand-in',
  description: STAND_IN_DESCRIPTION,
  module: distModuleUrl('stand-in.js').href,
  exportName: 'runStandIn',
  resolveBase: resolveStandInConfig,
  load: async () => (await import('./stand-in.js')).runStandIn,
};

const standInCompare: RunnerSpec = {
  ...standIn,
  name: 'stand-in-compare',
  description: `${STAND_IN_DESCRIPTION} Returns a comparison (SNN on SATA against the ANN baseline) per point.`,
  exportName: 'runStandInCompare',
  load: async () => (await import('./stand-in.js')).runStandInCompare,
};

/**
 * The runners this package ships: stand-ins for testing the machinery. The simulation runners
 * (`compare`, the default of `sata sweep`, and `simulate`) are defined by the CLI, which owns
 * the built-in plugin list (packages/cli/src/sweep-runners.ts; workers load
 * packages/cli/dist/sweep-point.js), so this package depends on no simulator and there is no
 * import cycle with @sata/cli. Scripts add runners with `registerRunner` or pass a RunnerSpec.
 */
const BUILTIN_RUNNERS: readonly RunnerSpec[] = [standIn, standInCompare];

const runners = new Map<string, RunnerSpec>(BUILTIN_RUNNERS.map((r) => [r.name, r]));

/** Adds a runner (scripts and plugins); names are unique. */
export function registerRunner(spec: RunnerSpec): void {
  if (runners.has(spec.name)) throw new ConfigError(`a sweep runner named "${spec.name}" is already registered`);
  runners.set(spec.name, spec);
}

export function runnerNames(): string[] {
  return [...runners.keys()].sort();
}

/**
 * A runner by name, or a module of your own as `path/to/module.js#exportName` (its base
 * configuration is then the `--base` file as given: nothing fills defaults in).
 */
export function getRunner(name: string): RunnerSpec {
  const found = runners.get(name);
  if (found) return found;
  const hash = name.lastIndexOf('#');
  if (hash > 0 && /\.(m?js|cjs)$/.test(name.slice(0, hash))) {
    const file = name.slice(0, hash);
    const exportName = name.slice(hash + 1);
    if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new ConfigError(`--runner ${name}: "${exportName}" is not an export name`);
    const abs = isAbsolute(file) ? file : resolve(file);
    return { name, description: `${exportName} from ${abs}`, module: pathToFileURL(abs).href, exportName, resolveBase: (partial) => partial };
  }
  throw new ConfigError(`--runner ${name}: no such runner; known: ${runnerNames().join(', ')} (or path/to/module.js#exportName)`);
}
