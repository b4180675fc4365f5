import { nirPlugin } from '@sata/nir';
import { Registry, type Plugin } from '@sata/plugin-api';
import { snnPlugin } from '@sata/snn';
import { HARDWARE_PLUGINS } from './hardware-plugins.js';

/** The built-in plugins that contribute no hardware: the SNN model (layer kinds, encoders, algorithms, the zoo) and network formats. */
export const MODEL_PLUGINS: readonly Plugin[] = [snnPlugin, nirPlugin];

/**
 * The plugins this build ships, imported explicitly by name (no folder scanning). A user
 * adds their own by registering it here (in HARDWARE_PLUGINS if it contributes any hardware)
 * or by building a registry in their own script.
 */
export const BUILTIN_PLUGINS: readonly Plugin[] = [...HARDWARE_PLUGINS, ...MODEL_PLUGINS];

export function builtinRegistry(extra: readonly Plugin[] = []): Registry {
  const r = new Registry();
  for (const p of [...BUILTIN_PLUGINS, ...extra]) r.register(p);
  return r.freeze();
}
