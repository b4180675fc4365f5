import { ConfigError, parseDocument, quote } from '@sata/core';
import { definePlugin, defineEnergyTable, type EnergyModelContribution, type EnergyTableEntry } from '@sata/plugin-api';

/**
 * How an Accelergy table's entries become ours. Accelergy names a component by its path in
 * the architecture (`system.chip.PE[0..127].mac`) and prices actions at the component's
 * own data width, which the ERT does not state.
 */
export interface AccelergyImportOptions {
  /** The model's name in the registry. */
  readonly name?: string;
  /** Our component class by ERT component name; default: the last path element without its `[..]` range, when it is one of ours. */
  readonly components?: Readonly<Record<string, string>>;
  /** Our action by Accelergy action name; the defaults map `mac_random` to `mac`, `mac_gated` to `gated`, `*_reused` and `idle` to nothing. */
  readonly actions?: Readonly<Record<string, string>>;
  /** Data width of each of our component classes in the ERT (bits); default 16. */
  readonly bits?: Readonly<Record<string, number>>;
  /** Where the table came from (a file name): goes into every figure's source. */
  readonly origin?: string;
}

const DEFAULT_CLASSES: Readonly<Record<string, string>> = {
  mac: 'pe', pe: 'pe', intmac: 'pe', scratchpad: 'scratchpad', spad: 'scratchpad', regfile: 'scratchpad', weights_spad: 'scratchpad.filter', ifmap_spad: 'scratchpad.ifmap',
  globalbuffer: 'globalBuffer', glb: 'globalBuffer', shared_glb: 'globalBuffer', dram: 'dram', mainmemory: 'dram', noc: 'arrayNetwork', lif: 'lif',
};

const DEFAULT_ACTIONS: Readonly<Record<string, string>> = { mac_random: 'mac', mac_reused: 'mac', mac_gated: 'gated', read: 'read', write: 'write', transfer: 'transfer', and_accumulate: 'and_accumulate' };

interface ErtAction {
  name?: unknown;
  energy?: unknown;
  arguments?: unknown;
}

/**
 * Imports an Accelergy energy reference table (ERT YAML, versions 0.3 and 0.4: `ERT:
 * tables: [{name, actions: [{name, arguments, energy}]}]`, energies in pJ). Where an action
 * has several argument sets, the first is taken (Accelergy lists the typical one first)
 * and the source says so. Entries that map to none of our components or actions are left
 * out; `skipped` lists them.
 */
export function importAccelergyErt(yamlText: string, options: AccelergyImportOptions = {}): EnergyModelContribution & { readonly skipped: readonly string[] } {
  const origin = options.origin ?? 'Accelergy ERT';
  const doc = parseDocument(yamlText, origin);
  const tables = (doc as { ERT?: { tables?: unknown } } | null)?.ERT?.tables;
  if (!Array.isArray(tables)) throw new ConfigError(`${origin}: expected an Accelergy energy reference table (ERT: tables: [...])`);
  const classes = { ...DEFAULT_CLASSES, ...(options.components ?? {}) };
  const actionMap = { ...DEFAULT_ACTIONS, ...(options.actions ?? {}) };
  const entries: EnergyTableEntry[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const [i, t] of tables.entries()) {
    const tableName = (t as { name?: unknown })?.name;
    const actions = (t as { actions?: unknown })?.actions;
    if (typeof tableName !== 'string' || !Array.isArray(actions)) throw new ConfigError(`${origin}: table ${i} needs a name and a list of actions`);
    const last = tableName.split('.').pop()!.replace(/\[.*\]$/, '');
    const component = options.components?.[tableName] ?? classes[last] ?? classes[last.toLowerCase()];
    if (!component) {
      skipped.push(tableName);
      continue;
    }
    const bits = options.bits?.[component] ?? options.bits?.[component.split('.')[0]!] ?? 16;
    const counts = new Map<string, number>();
    for (const a of actions as ErtAction[]) if (typeof a?.name === 'string') counts.set(a.name, (counts.get(a.name) ?? 0) + 1);
    for (const a of actions as ErtAction[]) {
      if (typeof a?.name !== 'string') throw new ConfigError(`${origin}: table ${tableName} has an action without a name`);
      const action = actionMap[a.name];
      if (!action) {
        skipped.push(`${tableName}.${a.name}`);
        continue;
      }
      if (typeof a.energy !== 'number' || !Number.isFinite(a.energy) || a.energy < 0) throw new ConfigError(`${origin}: ${tableName}.${a.name} has no valid energy (pJ), got ${quote(a.energy)}`);
      const key = `${component}|${action}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const args = counts.get(a.name)! > 1 ? ` with arguments ${quote(a.arguments)} (the first of ${counts.get(a.name)})` : '';
      entries.push({ component, action, picojoules: a.energy, bits, scaling: 'linear', source: `${origin}: ${tableName}.${a.name}${args}, at ${bits} bits` });
    }
  }
  if (entries.length === 0) throw new ConfigError(`${origin}: no entry maps to a component and action of ours (skipped: ${skipped.join(', ') || 'none'})`);
  const model = defineEnergyTable({
    name: options.name ?? 'accelergy',
    version: '1.0.0',
    description: `energy figures imported from ${origin}`,
    entries,
  });
  return Object.freeze({ ...model, skipped });
}

/**
 * A plugin whose `accelergy` model is an imported table. The built-in registration has no
 * table: `sata` asks for one (`--ert FILE`) and builds the model with `importAccelergyErt`.
 */
export function accelergyPlugin(model?: EnergyModelContribution) {
  return definePlugin({
    name: 'energy-accelergy',
    version: '1.0.0',
    description: 'Energy models imported from Accelergy energy reference tables (ERT YAML)',
    energyModels: [
      model ?? {
        name: 'accelergy',
        version: '1.0.0',
        description: 'an Accelergy energy reference table; give it with --ert FILE',
        energyPerAction: () => undefined,
      },
    ],
  });
}

export const accelergyEnergyPlugin = accelergyPlugin();
export default accelergyEnergyPlugin;
