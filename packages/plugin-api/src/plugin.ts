import type { ArchitectureContribution, ComponentContribution, ContributionBase } from './contributions.js';
import type { DataflowContribution } from './dataflow.js';
import type { EncoderContribution } from './encoder.js';
import type { EnergyModelContribution } from './energy.js';
import type { AlgorithmContribution } from './algorithm.js';
import type { LayerKindContribution } from './layer-kind.js';
import type { NetworkContribution, NetworkFormatContribution } from './network.js';

/** A plugin: a typed object of contributions, imported explicitly by package name (no folder scanning). */
export interface Plugin {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly components?: readonly ComponentContribution[];
  readonly dataflows?: readonly DataflowContribution<any>[];
  readonly energyModels?: readonly EnergyModelContribution[];
  readonly encoders?: readonly EncoderContribution[];
  readonly networks?: readonly NetworkContribution[];
  /** Layer kinds (the layer table): fields, shapes, functional forward/backward, lowering, activity. */
  readonly layers?: readonly LayerKindContribution[];
  /** Training algorithms: BPTT and its alternatives (what is kept, which gradient terms exist). */
  readonly algorithms?: readonly AlgorithmContribution[];
  readonly architectures?: readonly ArchitectureContribution[];
  /** Network file formats (`--network model.nir`). */
  readonly networkFormats?: readonly NetworkFormatContribution[];
}

export const CONTRIBUTION_KINDS = ['components', 'dataflows', 'energyModels', 'encoders', 'networks', 'layers', 'algorithms', 'architectures', 'networkFormats'] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];

export type ContributionOf<K extends ContributionKind> = NonNullable<Plugin[K]>[number];

const NAME = /^[a-z0-9@][\w.@/-]*$/i;
const VERSION = /^\d+\.\d+\.\d+([-+][\w.-]+)?$/;

/** Declares a plugin; checks the shape early so that a broken plugin fails where it is written. */
export function definePlugin<P extends Plugin>(plugin: P): P {
  if (!NAME.test(plugin.name)) throw new TypeError(`plugin name "${plugin.name}" is not a valid name`);
  if (!VERSION.test(plugin.version)) throw new TypeError(`plugin ${plugin.name}: version "${plugin.version}" is not semver (x.y.z)`);
  for (const kind of CONTRIBUTION_KINDS) {
    for (const c of (plugin[kind] ?? []) as readonly ContributionBase[]) {
      if (!c.name || !NAME.test(c.name)) throw new TypeError(`plugin ${plugin.name}: ${kind} entry has an invalid name "${String(c.name)}"`);
      if (!VERSION.test(c.version)) throw new TypeError(`plugin ${plugin.name}: ${kind} ${c.name} version "${c.version}" is not semver`);
    }
  }
  return Object.freeze(plugin);
}
