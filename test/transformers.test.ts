/**
 * The zoo's spiking transformers on the accelerator: both simulate as SNNs on SATA and as
 * ANNs on the baseline with their totals adding up and every action priced; the attention
 * scores are a tensor the placement follows (on chip where they fit, else to DRAM and back).
 */
import { builtinRegistry } from '@sata/cli';
import { resolveConfig, simulateTraining, type TrainingRun } from '@sata/training';
import { describe, expect, it } from 'vitest';

const registry = builtinRegistry();
const run = (network: string, o: Record<string, unknown> = {}): TrainingRun => simulateTraining(resolveConfig({ network, timesteps: 2, ...o } as never), registry);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.abs(b));

describe('spiking transformers on the accelerator', () => {
  for (const [network, attention] of [['spikformer-4-384', ['ssa']], ['sdt-2-512', ['mul', 'tokensum']]] as const) {
    it(`${network}: SNN on SATA and ANN on the baseline, totals adding up, the attention priced as computation`, () => {
      for (const arch of ['sata', 'eyeriss']) {
        const r = run(network, { arch }).result;
        const e = r.energyPJ;
        close(sum(e.byLayer.map((l) => l.totalPJ)) + (e.drain ?? 0), e.total);
        close(sum(Object.values(e.byStage)) + (e.drain ?? 0), e.total);
        const attn = e.byLayer.filter((l) => (attention as readonly string[]).includes(l.kind));
        expect(attn.length).toBeGreaterThan(0);
        for (const l of attn) expect(l.computePJ, `${arch} ${l.name}`).toBeGreaterThan(0);
        expect(r.unpriced).toEqual([]);
      }
    });
  }

  it("spikformer-4-384: the scores spill to DRAM beside the kept membranes, and stay on chip in a large enough membrane partition", () => {
    const scores = (r: TrainingRun, from: string, to: string): number => sum(r.result.placement.filter((f) => f.tensor === 'attention scores' && f.from === from && f.to === to).map((f) => f.bits));
    const small = run('spikformer-4-384');
    expect(scores(small, 'array', 'gb.membrane')).toBeGreaterThan(0);
    expect(scores(small, 'gb.membrane', 'dram')).toBeGreaterThan(0);
    const large = run('spikformer-4-384', { memory: { glbKiB: { membrane: 65536 } } });
    expect(scores(large, 'array', 'gb.membrane')).toBe(scores(small, 'array', 'gb.membrane'));
    expect(scores(large, 'gb.membrane', 'dram')).toBe(0);
    expect(scores(large, 'dram', 'gb.membrane')).toBe(0);
  });
});
