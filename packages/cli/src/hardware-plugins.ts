import { zeroSkipPlugin } from '@sata/component-zero-skip';
import { isDataflowPlugin } from '@sata/dataflow-is';
import { osDataflowPlugin } from '@sata/dataflow-os';
import { wsDataflowPlugin } from '@sata/dataflow-ws';
import { sataDataflowPlugin } from '@sata/dataflow-sata';
import { accelergyEnergyPlugin } from '@sata/energy-accelergy';
import { eyerissEnergyPlugin } from '@sata/energy-eyeriss';
import { horowitzEnergyPlugin } from '@sata/energy-horowitz45';
import { sata32EnergyPlugin } from '@sata/energy-sata32';
import { hwPlugin } from '@sata/hw';
import { Registry, type ContributionKind, type Plugin } from '@sata/plugin-api';
import { examplePlugin } from './example-plugin.js';

/** What the hardware is made of: a command that builds no network reads only these kinds. */
export const HARDWARE_KINDS: readonly ContributionKind[] = ['architectures', 'components', 'dataflows', 'energyModels'];

/**
 * The built-in plugins that contribute hardware: every plugin with an architecture,
 * component, dataflow or energy model belongs here (registry.test.ts holds the rest of
 * BUILTIN_PLUGINS to contributing none), so that their registry is, for those kinds, the
 * whole registry. `sata layer` and `sata arch` run on it without loading the SNN model and
 * the network formats (a third of the CLI's code; issue 15's start-up).
 */
export const HARDWARE_PLUGINS: readonly Plugin[] = [
  examplePlugin,
  hwPlugin,
  zeroSkipPlugin,
  osDataflowPlugin,
  wsDataflowPlugin,
  isDataflowPlugin,
  sataDataflowPlugin,
  sata32EnergyPlugin,
  eyerissEnergyPlugin,
  horowitzEnergyPlugin,
  accelergyEnergyPlugin,
];

/** A frozen registry of the hardware plugins (and `extra`). */
export function hardwareRegistry(extra: readonly Plugin[] = []): Registry {
  const r = new Registry();
  for (const p of [...HARDWARE_PLUGINS, ...extra]) r.register(p);
  return r.freeze();
}
