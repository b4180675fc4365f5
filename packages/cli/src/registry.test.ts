import { CONTRIBUTION_KINDS, type ContributionKind, type Registry } from '@sata/plugin-api';
import { describe, expect, it } from 'vitest';
import { HARDWARE_KINDS, HARDWARE_PLUGINS, hardwareRegistry } from './hardware-plugins.js';
import { BUILTIN_PLUGINS, builtinRegistry, MODEL_PLUGINS } from './registry.js';

const names = (r: Registry, kind: ContributionKind): string[] => r.list(kind).map((e) => `${e.plugin}:${e.contribution.name}`);

describe('the built-in plugin lists', () => {
  it('are the hardware plugins and the model plugins, each once', () => {
    expect(BUILTIN_PLUGINS.map((p) => p.name).sort()).toEqual([...HARDWARE_PLUGINS, ...MODEL_PLUGINS].map((p) => p.name).sort());
    expect(new Set(BUILTIN_PLUGINS.map((p) => p.name)).size).toBe(BUILTIN_PLUGINS.length);
  });

  it('keep all hardware in the hardware plugins, so that a hardware command sees every architecture, component, dataflow and energy model', () => {
    for (const p of MODEL_PLUGINS) for (const kind of HARDWARE_KINDS) expect(p[kind] ?? [], `${p.name} contributes ${kind}`).toEqual([]);
    const all = builtinRegistry();
    const hw = hardwareRegistry();
    for (const kind of HARDWARE_KINDS) {
      expect(names(hw, kind).length, kind).toBeGreaterThan(0);
      expect(names(hw, kind)).toEqual(names(all, kind));
    }
    // and nothing of the model: its kinds are empty there.
    for (const kind of CONTRIBUTION_KINDS.filter((k) => !HARDWARE_KINDS.includes(k))) expect(names(hw, kind), kind).toEqual([]);
  });

  it('a hardware command records the hardware plugins in its trace header; the others record all', () => {
    expect(hardwareRegistry().pluginList()).toEqual(HARDWARE_PLUGINS.map((p) => `${p.name}@${p.version}`).sort());
    expect(builtinRegistry().pluginList()).toHaveLength(BUILTIN_PLUGINS.length);
  });
});
