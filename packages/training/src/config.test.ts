import { ConfigError } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, resolveConfig } from './config.js';

describe('training configuration', () => {
  it('fills every default and freezes the result', () => {
    const c = resolveConfig({ timesteps: 8, memory: { glbKiB: { weights: 288 } } });
    expect(c.timesteps).toBe(8);
    expect(c.memory.glbKiB).toEqual({ ...DEFAULT_CONFIG.memory.glbKiB, weights: 288 });
    expect(c.sparsity).toMatchObject({ spike: 0.9, membraneGradient: 0.7, firingGradient: 0.6, mode: 'statistical', gating: true });
    expect(c.ann.attention).toBe('softmax');
    expect(Object.isFrozen(c.memory.glbKiB)).toBe(true);
  });

  it('names the full path of an unknown or malformed setting', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ timestep: 4 }, /unknown setting "timestep"/],
      [{ memory: { glbKib: {} } }, /unknown setting "memory.glbKib" \(known: .*glbKiB/],
      [{ timesteps: 0 }, /timesteps must be an integer in 1..1024, got 0/],
      [{ timesteps: 2.5 }, /timesteps must be an integer/],
      [{ timesteps: '4' }, /timesteps must be a number, got "4"/],
      [{ sparsity: { spike: 1.5 } }, /sparsity.spike must be in \[0, 1\], got 1.5/],
      [{ sparsity: { mode: 'guessed' } }, /sparsity.mode must be one of statistical, measured, replayed, got "guessed"/],
      [{ array: { rows: 0 } }, /array.rows must be an integer in 1..4096/],
      [{ memory: { glbKiB: { weights: -1 } } }, /memory.glbKiB.weights must be >= 0/],
      [{ sparsity: { perLayer: { conv1: { spikes: 0.5 } } } }, /unknown setting "sparsity.perLayer.conv1.spikes"/],
      [{ sparsity: { perLayer: { conv1: { perStep: [{}, {}] } } } }, /perStep has 2 entries but timesteps is 4/],
      [{ arch: 'tpu' }, /cfg.yaml: arch: unknown architecture "tpu": not a registered architecture nor a .yaml\/.json spec file \(registered: eyeriss, sata\)/],
      [{ arch: 'no/such.yaml' }, /arch: architecture spec no\/such.yaml: cannot read: no such file/],
      [[1, 2], /\(root\) must be an object, got a list/],
    ];
    for (const [given, re] of cases) {
      expect(() => resolveConfig(given, 'cfg.yaml')).toThrow(ConfigError);
      expect(() => resolveConfig(given, 'cfg.yaml')).toThrow(re);
    }
    expect(() => resolveConfig({ timesteps: 0 }, 'cfg.yaml')).toThrow(/^cfg.yaml: /);
  });
});
