/**
 * The graph networks of the zoo on the accelerator: every one simulates as an SNN on SATA
 * and as an ANN on the baseline, batch norm is a barrier in a step-by-step schedule, the
 * kinds' work appears where it belongs, and the totals add up.
 */
import { builtinRegistry } from '@sata/cli';
import { resolveConfig, simulateTraining, type TrainingRun } from '@sata/training';
import { describe, expect, it } from 'vitest';

const registry = builtinRegistry();
const run = (network: string, o: Record<string, unknown> = {}): TrainingRun => simulateTraining(resolveConfig({ network, timesteps: 2, ...o } as never), registry);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.abs(b));

describe('graph networks on the accelerator', () => {
  for (const network of ['resnet19', 'sew-resnet18', 'ms-resnet18', 'vgg11-bn']) {
    it(`${network}: SNN on SATA and ANN on the baseline, totals adding up, batch norm and adds priced as computation`, () => {
      for (const arch of ['sata', 'eyeriss']) {
        const r = run(network, { arch }).result;
        const e = r.energyPJ;
        close(sum(e.byLayer.map((l) => l.totalPJ)) + (e.drain ?? 0), e.total);
        close(sum(Object.values(e.byStage)) + (e.drain ?? 0), e.total);
        const bn = e.byLayer.filter((l) => l.kind === 'batchnorm');
        expect(bn.length).toBeGreaterThan(0);
        for (const l of bn) expect(l.computePJ, `${arch} ${l.name}`).toBeGreaterThan(0);
        if (network !== 'vgg11-bn') for (const l of e.byLayer.filter((x) => x.kind === 'add')) expect(l.computePJ).toBeGreaterThan(0);
        expect(r.unpriced).toEqual([]);
      }
    });
  }

  it('sew-resnet18: the integer sums of its spike shortcuts make the next convolutions multiply; vgg11-bn AND-accumulates past its first layer', () => {
    const sew = run('sew-resnet18').result.ops;
    const vgg = run('vgg11-bn').result.ops;
    // vgg11-bn multiplies only in its first layer (analog pixels); SEW-ResNet in every block after the first.
    expect(sew['FP.mac']!.active).toBeGreaterThan(0.5 * sew['FP.and_accumulate']!.active);
    expect(vgg['FP.mac']!.active).toBeLessThan(0.2 * vgg['FP.and_accumulate']!.active);
  });

  it('batch norm is a barrier: step by step, the layers before it run every step first, and its BP comes once', () => {
    for (const dataflow of ['ws', 'os', 'is', 'sata', 'sata-tiled']) {
      const { schedule } = run('digits-resnet', { dataflow, timesteps: 3 });
      const labels = schedule.steps.map((s) => s.label);
      const bnFp = labels.indexOf('stem_bn/FP/statistics');
      const stem = labels.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('stem/FP'));
      expect(stem.length, dataflow).toBe(dataflow.startsWith('sata') ? 1 : 3);
      for (const [, i] of stem) expect(i).toBeLessThan(bnFp);
      const lif = labels.indexOf('stem_lif/FP/t1/lif');
      expect(lif).toBeGreaterThan(labels.indexOf('stem_bn/FP/normalise'));
      expect(labels.filter((l) => l === 'stem_bn/BP/normalise')).toHaveLength(1);
      // Its backward pass comes after every step of the neuron after it.
      expect(labels.indexOf('stem_bn/BP/statistics')).toBeGreaterThan(labels.lastIndexOf('stem_lif/BP/t1/gradient'));
    }
  });

  it('a shortcut read twice: the second gradient adds onto the first', () => {
    const { schedule } = run('digits-resnet', { dataflow: 'ws' });
    // b1_add reads b1_conv2_bn and stem_lif; stem_lif is also read by b1_conv1, whose BP GEMM writes its gradient too.
    const writers = schedule.steps.filter((s) => (s.kind === 'gemm' ? s.tensors?.ofmap === 'stem_lif.ds[0]' : s.traffic?.some((a) => a.access === 'write' && a.tensor === 'stem_lif.ds[0]')));
    expect(writers.map((s) => s.label)).toEqual(['b1_add/BP/t1/grad1', 'b1_conv1/BP/t1']);
    const second = writers[1]!;
    expect(second.kind === 'gemm' && second.accumulate).toBe(true);
    // The add is its other input's only reader: that gradient is the add's own tensor (no copy).
    expect(schedule.steps.some((s) => s.label.startsWith('b1_add/BP/t1/grad0'))).toBe(false);
    expect(schedule.steps.some((s) => s.kind === 'gradient' && s.label === 'b1_lif2/BP/t1/gradient' && s.traffic!.some((a) => a.tensor === 'b1_add.du[0]' && a.access === 'write'))).toBe(true);
  });
});
