import { ConfigError, quote, SataError } from '@sata/core';
import type { ContributionBase } from './contributions.js';
import { CONTRIBUTION_KINDS, type ContributionKind, type ContributionOf, type Plugin } from './plugin.js';

export interface RegisteredContribution<K extends ContributionKind = ContributionKind> {
  readonly kind: K;
  readonly plugin: string;
  readonly contribution: ContributionOf<K>;
}

/** A contribution kind as a message or table names it. */
export const KIND_LABEL: Readonly<Record<ContributionKind, string>> = {
  components: 'component',
  dataflows: 'dataflow',
  energyModels: 'energy model',
  encoders: 'encoder',
  networks: 'network',
  layers: 'layer kind',
  algorithms: 'training algorithm',
  architectures: 'architecture',
  networkFormats: 'network format',
};

/**
 * Everything the plugins contribute. Rejects duplicate plugin names and duplicate
 * contribution names within a kind; frozen before a model is built, so that a run's
 * plugin list (which goes into every trace header) cannot change under it.
 */
export class Registry {
  private readonly plugins = new Map<string, Plugin>();
  private readonly entries = new Map<ContributionKind, Map<string, RegisteredContribution>>();
  private isFrozen = false;

  constructor() {
    for (const k of CONTRIBUTION_KINDS) this.entries.set(k, new Map());
  }

  get frozen(): boolean {
    return this.isFrozen;
  }

  register(plugin: Plugin): this {
    if (this.isFrozen) throw new SataError(`cannot register plugin ${plugin.name}: the registry is frozen (a model was built)`);
    if (this.plugins.has(plugin.name)) throw new ConfigError(`duplicate plugin "${plugin.name}"`);
    // Check everything before adding anything, so a rejected plugin leaves no trace.
    for (const kind of CONTRIBUTION_KINDS) {
      const seen = new Set<string>();
      for (const c of (plugin[kind] ?? []) as readonly ContributionBase[]) {
        const existing = this.entries.get(kind)!.get(c.name);
        if (existing) throw new ConfigError(`duplicate ${KIND_LABEL[kind]} "${c.name}": plugin ${plugin.name} and plugin ${existing.plugin} both define it`);
        if (seen.has(c.name)) throw new ConfigError(`duplicate ${KIND_LABEL[kind]} "${c.name}" within plugin ${plugin.name}`);
        seen.add(c.name);
      }
    }
    this.plugins.set(plugin.name, plugin);
    for (const kind of CONTRIBUTION_KINDS) {
      for (const c of (plugin[kind] ?? []) as readonly ContributionBase[]) {
        this.entries.get(kind)!.set(c.name, { kind, plugin: plugin.name, contribution: c as never });
      }
    }
    return this;
  }

  freeze(): this {
    this.isFrozen = true;
    return this;
  }

  /** A contribution by kind and name; an unknown name is an error listing the known ones. */
  get<K extends ContributionKind>(kind: K, name: string): ContributionOf<K> {
    const entry = this.entries.get(kind)!.get(name);
    if (!entry) {
      const known = [...this.entries.get(kind)!.keys()].sort().join(', ') || '(none)';
      throw new ConfigError(`unknown ${KIND_LABEL[kind]} ${quote(name)} (known: ${known})`);
    }
    return entry.contribution as ContributionOf<K>;
  }

  has(kind: ContributionKind, name: string): boolean {
    return this.entries.get(kind)!.has(name);
  }

  /** Contributions of a kind, sorted by name. */
  list<K extends ContributionKind>(kind: K): RegisteredContribution<K>[] {
    return [...this.entries.get(kind)!.values()].sort((a, b) => cmp(a.contribution.name, b.contribution.name)) as RegisteredContribution<K>[];
  }

  /** `name@version` of every registered plugin, sorted: goes into trace headers. */
  pluginList(): string[] {
    return [...this.plugins.values()].map((p) => `${p.name}@${p.version}`).sort(cmp);
  }

  pluginNames(): string[] {
    return [...this.plugins.keys()].sort(cmp);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
