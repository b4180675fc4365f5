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
import { nirPlugin } from '@sata/nir';
import { Registry, type Plugin } from '@sata/plugin-api';
import { snnPlugin } from '@sata/snn';
import { examplePlugin } from './example-plugin.js';

/**
 * The plugins this build ships, imported explicitly by name (no folder scanning). A user
 * adds their own by registering it here or by building a registry in their own script.
 */
export const BUILTIN_PLUGINS: readonly Plugin[] = [
  examplePlugin,
  snnPlugin,
  nirPlugin,
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

export function builtinRegistry(extra: readonly Plugin[] = []): Registry {
  const r = new Registry();
  for (const p of [...BUILTIN_PLUGINS, ...extra]) r.register(p);
  return r.freeze();
}
