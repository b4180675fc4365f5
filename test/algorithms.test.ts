/**
 * Training algorithms on the accelerator: each one's schedule (what runs when, what is kept),
 * its kept state against BPTT's, and the comparison command.
 */
import { builtinRegistry, runCli } from '@sata/cli';
import { resolveConfig, simulateTraining, type TrainingRun } from '@sata/training';
import { describe, expect, it } from 'vitest';
import { capture } from './cli.js';

const registry = builtinRegistry();
const run = (algorithm: string, o: Record<string, unknown> = {}): TrainingRun =>
  simulateTraining(resolveConfig({ network: 'digits-cnn', timesteps: 4, dataflow: 'ws', algorithm, ...o } as never), registry);
const labels = (r: TrainingRun): string[] => r.schedule.steps.map((s) => s.label);
const readsOf = (r: TrainingRun, label: string): string[] => {
  const s = r.schedule.steps.find((x) => x.label === label)!;
  return s.kind === 'gemm' ? [s.tensors!.ifmap!, s.tensors!.filter!] : s.traffic!.filter((a) => a.access === 'read').map((a) => a.tensor);
};

describe('training algorithms on SATA', () => {
  const bptt = run('bptt');

  it('sltt: each step\'s backward right after its forward, no temporal gradient, less kept state', () => {
    const r = run('sltt');
    const l = labels(r);
    expect(l.indexOf('conv1_lif/BP/t1/gradient')).toBeLessThan(l.indexOf('conv1/FP/t2'));
    for (let t = 1; t <= 4; t++) expect(readsOf(r, `conv1_lif/BP/t${t}/gradient`)).not.toContain(`conv1.du[${t}]`);
    expect(readsOf(bptt, 'conv1_lif/BP/t1/gradient')).toContain('conv1.du[1]');
    // A loss per step: four output gradients.
    expect(l.filter((x) => x.startsWith('out/BP/output-gradient'))).toHaveLength(4);
    expect(r.result.keptState!.peak.stateBytes).toBeLessThan(bptt.result.keptState!.peak.stateBytes);
    expect(r.result.algorithm).toBe('sltt');
  });

  it('ottt: a presynaptic trace per weighted layer and step, and weight gradients that multiply (the trace is real)', () => {
    const r = run('ottt');
    expect(labels(r).filter((x) => x.startsWith('conv2/FP/') && x.endsWith('/trace'))).toHaveLength(4);
    expect(readsOf(r, 'conv2/WG/t3')[0]).toBe('conv2.trace');
    expect(bptt.result.ops['WG.and_accumulate']!.active).toBeGreaterThan(0);
    // Only the first layer (analog pixels) multiplies under BPTT; every layer does under OTTT.
    expect(r.result.ops['WG.and_accumulate']).toBeUndefined();
    expect(r.result.ops['WG.mac']!.active).toBeGreaterThan(bptt.result.ops['WG.mac']!.active);
  });

  it('bptt-checkpoint:2 recomputes the first segment\'s forward pass (not the loss head) and keeps less', () => {
    const r = run('bptt-checkpoint:2');
    const count = (x: TrainingRun, prefix: string) => labels(x).filter((s) => s.startsWith(prefix)).length;
    expect(count(r, 'conv1/FP/')).toBe(6); // 4 steps, then steps 1 and 2 again
    expect(count(bptt, 'conv1/FP/')).toBe(4);
    expect(count(r, 'out/FP/')).toBe(count(bptt, 'out/FP/'));
    expect(count(r, 'conv1_lif/BP/')).toBe(4);
    expect(r.result.energyPJ.byStage.FP).toBeGreaterThan(bptt.result.energyPJ.byStage.FP);
    expect(r.result.keptState!.peak.stateBytes).toBeLessThan(bptt.result.keptState!.peak.stateBytes);
    // Its gradient is BPTT's: the backward work is the same.
    expect(r.result.ops['BP.mac']).toEqual(bptt.result.ops['BP.mac']);
  });

  it('bptt-checkpoint-layers:2 recomputes the first segment of the network over all steps before its backward pass', () => {
    const r = run('bptt-checkpoint-layers:2');
    const l = labels(r);
    const count = (x: TrainingRun, prefix: string) => labels(x).filter((s) => s.startsWith(prefix)).length;
    // digits-cnn's weighted layers conv1, conv2 | fc1, out: the first segment is conv1 .. pool2.
    for (const p of ['conv1/FP/', 'conv1_lif/FP/', 'pool1/FP/', 'conv2/FP/', 'pool2/FP/']) expect(count(r, p), p).toBe(2 * count(bptt, p));
    for (const p of ['fc1/FP/', 'out/FP/', 'conv1/BP/', 'conv2/WG/']) expect(count(r, p), p).toBe(count(bptt, p));
    const recompute = l.lastIndexOf('conv1/FP/t1');
    expect(recompute).toBeGreaterThan(l.indexOf('fc1/WG/t1'));
    expect(recompute).toBeLessThan(l.indexOf('conv2_lif/BP/t4/gradient'));
    expect(r.result.energyPJ.byStage.FP).toBeGreaterThan(bptt.result.energyPJ.byStage.FP);
    // The same backward work (summed in another order).
    for (const k of ['BP.mac', 'WG.and_accumulate', 'WG.mac']) {
      expect(r.result.ops[k]!.active, k).toBeCloseTo(bptt.result.ops[k]!.active, 6);
      expect(r.result.ops[k]!.gated, k).toBeCloseTo(bptt.result.ops[k]!.gated, 6);
    }
    // It saves where the dropped segments hold more than the gradient at their edge: not in
    // digits-cnn (fc1's state per step is smaller than pool2's gradient), in VGG5.
    const vgg = (a: string) => run(a, { network: 'vgg5' }).result.keptState!.peak.stateBytes;
    expect(vgg('bptt-checkpoint-layers:3')).toBeLessThan(0.7 * vgg('bptt'));
    expect(() => run('bptt-checkpoint-layers:5')).toThrow(/bptt-checkpoint-layers:5 splits the network into 5 segments of weighted layers, but network digits-cnn has 4/);
  });

  it('bptt-checkpoint-layers works with batch norm over time (recomputed over all steps) and stacks the steps on a time-batching dataflow', () => {
    const ref = run('bptt', { network: 'digits-resnet', dataflow: 'sata-tiled' });
    const r = run('bptt-checkpoint-layers:2', { network: 'digits-resnet', dataflow: 'sata-tiled' });
    expect(labels(r).filter((x) => x === 'stem/FP/all-t')).toHaveLength(2);
    expect(labels(r).filter((x) => x.startsWith('stem_bn/FP'))).toHaveLength(2 * labels(ref).filter((x) => x.startsWith('stem_bn/FP')).length);
    expect(r.result.keptState!.peak.stateBytes).toBeLessThan(ref.result.keptState!.peak.stateBytes);
    for (const k of ['BP.mac', 'WG.mac']) expect(r.result.ops[k]!.active, k).toBeCloseTo(ref.result.ops[k]!.active, 6);
  });

  it('tbptt:2: windows of two steps, the gradient cut at their edge, an output gradient per window', () => {
    const r = run('tbptt:2');
    // The logits (a window's mean output) restart at each window's first step, as the loss does.
    expect(readsOf(r, 'out/FP/t2/integrate')).toContain('out.logits');
    expect(readsOf(r, 'out/FP/t3/integrate')).not.toContain('out.logits');
    expect(readsOf(bptt, 'out/FP/t3/integrate')).toContain('out.logits');
    for (let t = 1; t <= 4; t++) expect(readsOf(run('sltt'), `out/FP/t${t}/integrate`)).not.toContain('out.logits');
    expect(readsOf(r, 'conv1_lif/BP/t1/gradient')).toContain('conv1.du[1]');
    expect(readsOf(r, 'conv1_lif/BP/t2/gradient')).not.toContain('conv1.du[2]');
    expect(labels(r).filter((x) => x.startsWith('out/BP/output-gradient'))).toEqual(['out/BP/output-gradient/t2', 'out/BP/output-gradient/t4']);
    expect(labels(r).indexOf('conv1_lif/BP/t1/gradient')).toBeLessThan(labels(r).indexOf('conv1/FP/t3'));
  });

  it('measured sparsity follows the algorithm: OTTT\'s weight gradients count the zeros of the traces', () => {
    const m = run('ottt', { sparsity: { mode: 'measured' }, dataset: 'digits', batch: 2 });
    const s = run('bptt', { sparsity: { mode: 'measured' }, dataset: 'digits', batch: 2 });
    // A trace is nonzero wherever an input was so far: fewer zeros to gate than the spikes have.
    const share = (r: TrainingRun) => r.result.ops['WG.mac']!.active / (r.result.ops['WG.mac']!.active + r.result.ops['WG.mac']!.gated);
    expect(share(m)).toBeGreaterThan(0);
    expect(m.result.ops['WG.mac']!.active).toBeGreaterThan(s.result.ops['WG.mac']!.active);
  });

  it('a time-batching dataflow stacks the steps of each phase: all T (bptt), each window (tbptt), one step (sltt, ottt); checkpoint segments run step by step', () => {
    const shapes = (r: TrainingRun): string[] => r.schedule.steps.map((s) => `${s.label} ${s.kind === 'gemm' ? `${s.gemm.M}x${s.gemm.N}x${s.gemm.K}` : s.kind}`);
    expect(labels(run('bptt', { dataflow: 'sata-tiled' })).some((x) => x.includes('all-t'))).toBe(true);
    const tb = run('tbptt:2', { dataflow: 'sata-tiled' });
    const stepwise = run('tbptt:2');
    const M = (r: TrainingRun, label: string): number => (r.schedule.steps.find((s) => s.label === label) as { gemm: { M: number } }).gemm.M;
    expect(M(tb, 'conv1/FP/t1-t2')).toBe(2 * M(stepwise, 'conv1/FP/t1'));
    expect(M(tb, 'conv1/FP/t3-t4')).toBe(2 * M(stepwise, 'conv1/FP/t3'));
    expect(labels(tb).indexOf('conv1/WG/t1-t2')).toBeLessThan(labels(tb).indexOf('conv1/FP/t3-t4'));
    // Window 2 starts from window 1's state; its gradient stops at the window's edge.
    expect(readsOf(tb, 'conv1_lif/FP/t3/lif')).toEqual(expect.arrayContaining(['conv1_lif.u[1]', 'conv1_lif.s[0..1]']));
    expect(readsOf(tb, 'conv1_lif/BP/t3/gradient')).toContain('conv1.du[2..3]');
    expect(readsOf(tb, 'conv1_lif/BP/t2/gradient')).not.toContain('conv1.du[2..3]');
    // SLTT and OTTT stack one step: the schedule of a step-by-step dataflow.
    for (const a of ['sltt', 'ottt']) expect(shapes(run(a, { dataflow: 'sata-tiled' }))).toEqual(shapes(run(a)));
    expect(labels(run('bptt-checkpoint:2', { dataflow: 'sata-tiled' })).some((x) => /all-t|t\d-t\d/.test(x))).toBe(false);
    // Stacking changes which folds run, never how many operations are active or gated.
    for (const a of ['bptt', 'tbptt:2', 'sltt', 'ottt', 'bptt-checkpoint:2']) {
      const batched = run(a, { dataflow: 'sata-tiled' }).result.ops;
      const plain = run(a).result.ops;
      expect(Object.keys(batched).sort(), a).toEqual(Object.keys(plain).sort());
      for (const [k, v] of Object.entries(plain)) {
        expect(batched[k]!.active, `${a} ${k}`).toBeCloseTo(v.active, 6);
        expect(batched[k]!.gated, `${a} ${k}`).toBeCloseTo(v.gated, 6);
      }
    }
  });

  it('refuses batch norm over time where an algorithm splits the backward pass', () => {
    expect(() => run('bptt-checkpoint:2', { network: 'digits-resnet' })).toThrow(/b1_conv2_bn \(batchnorm\) normalises over steps 1\.\.4 together, but training algorithm bptt-checkpoint:2 runs steps 3, 4 on their own/);
    // Online algorithms normalise per step.
    expect(run('sltt', { network: 'digits-resnet' }).result.energyPJ.total).toBeGreaterThan(0);
  });

  it('sata compare --algorithms prints one table, --json one document; an unknown algorithm exits 2 before any run', async () => {
    const io = capture();
    expect(await runCli(['compare', '--network', 'mlp', '-T', '2', '--dataflow', 'ws', '--algorithms', 'bptt,sltt,ottt'], io)).toBe(0);
    expect(io.stdout).toMatch(/bptt +sltt +ottt +ANN \(baseline\)/);
    expect(io.stdout).toMatch(/peak kept state \(no dW\)/);
    const j = capture();
    expect(await runCli(['compare', '--network', 'mlp', '-T', '2', '--algorithms', 'bptt,tbptt:1', '--json'], j)).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.kind).toBe('algorithm-comparison');
    expect(doc.runs.map((x: { algorithm: string }) => x.algorithm)).toEqual(['bptt', 'tbptt:1']);
    const bad = capture();
    expect(await runCli(['compare', '--network', 'mlp', '--algorithms', 'bptt,nope'], bad)).toBe(2);
    expect(bad.stderr).toMatch(/--algorithms: unknown training algorithm "nope"/);
    expect(bad.stderr).not.toMatch(/simulating/);
  });
});
