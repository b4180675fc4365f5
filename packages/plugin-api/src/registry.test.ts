import { describe, expect, it } from 'vitest';
import { definePlugin } from './plugin.js';
import { Registry } from './registry.js';
import type { EnergyModelContribution } from './energy.js';

const model = (name: string): EnergyModelContribution => ({ name, version: '1.0.0', description: name, energyPerAction: () => ({ picojoules: 1, source: 'test' }) });

describe('Registry', () => {
  it('lists name@version of plugins sorted, and contributions sorted by name', () => {
    const r = new Registry();
    r.register(definePlugin({ name: 'zeta', version: '2.0.1', description: 'z', energyModels: [model('b-model'), model('a-model')] }));
    r.register(definePlugin({ name: 'alpha', version: '1.0.0', description: 'a' }));
    expect(r.pluginList()).toEqual(['alpha@1.0.0', 'zeta@2.0.1']);
    expect(r.list('energyModels').map((e) => e.contribution.name)).toEqual(['a-model', 'b-model']);
    expect(r.get('energyModels', 'a-model').energyPerAction({ component: 'pe', action: 'mac', bits: 16 })?.picojoules).toBe(1);
  });

  it('rejects duplicate plugins and duplicate contributions, leaving no partial registration', () => {
    const r = new Registry();
    r.register(definePlugin({ name: 'p', version: '1.0.0', description: '', energyModels: [model('m')] }));
    expect(() => r.register(definePlugin({ name: 'p', version: '1.0.1', description: '' }))).toThrow(/duplicate plugin "p"/);
    expect(() => r.register(definePlugin({ name: 'q', version: '1.0.0', description: '', energyModels: [model('n'), model('m')] }))).toThrow(
      /duplicate energy model "m": plugin q and plugin p both define it/,
    );
    expect(r.has('energyModels', 'n')).toBe(false);
    expect(r.pluginList()).toEqual(['p@1.0.0']);
    expect(() => r.register(definePlugin({ name: 's', version: '1.0.0', description: '', energyModels: [model('x'), model('x')] }))).toThrow(/within plugin s/);
  });

  it('is frozen before a model is built', () => {
    const r = new Registry().freeze();
    expect(r.frozen).toBe(true);
    expect(() => r.register(definePlugin({ name: 'late', version: '1.0.0', description: '' }))).toThrow(/frozen/);
  });

  it('names the unknown contribution and lists the known ones', () => {
    const r = new Registry().register(definePlugin({ name: 'p', version: '1.0.0', description: '', energyModels: [model('eyeriss')] }));
    expect(() => r.get('energyModels', 'eyerss')).toThrow(/unknown energy model "eyerss" \(known: eyeriss\)/);
    expect(() => r.get('dataflows', 'ws')).toThrow(/unknown dataflow "ws" \(known: \(none\)\)/);
  });

  it('checks plugin names and versions when defined', () => {
    expect(() => definePlugin({ name: 'bad name!', version: '1.0.0', description: '' })).toThrow(/not a valid name/);
    expect(() => definePlugin({ name: 'p', version: '1.0', description: '' })).toThrow(/semver/);
    expect(() => definePlugin({ name: 'p', version: '1.0.0', description: '', energyModels: [{ ...model('m'), version: 'x' }] })).toThrow(/energyModels m version/);
  });
});
