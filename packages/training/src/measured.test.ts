import { builtinRegistry } from '@sata/cli';
import type { ConvAttrs, LayerTrace, ResolvedLayer } from '@sata/snn';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { simulateTraining, type TrainingRun } from './run.js';

const registry = builtinRegistry();

/**
 * Operation counts computed straight from the functional model's tensors, by the
 * definition of each GEMM (not through the im2col matrices the activity is built from):
 * - FP: an operation per (output position, kernel tap, output channel) whose input is nonzero;
 * - BP: per (input position, kernel tap, output channel) whose du is nonzero, times C;
 * - WG: per (output position, kernel tap, input channel, output channel) with both nonzero.
 */
function expectedConvOps(l: ResolvedLayer<ConvAttrs>, x: ArrayLike<number>, du: ArrayLike<number>, batch: number): { fp: number; bp: number; wg: number } {
  const [C, H, W] = l.inShape;
  const [K, E, F] = l.outShape;
  const R = l.attrs.kernel;
  const { stride, padding: pad } = l.attrs;
  let fp = 0;
  let bp = 0;
  let wg = 0;
  for (let b = 0; b < batch; b++)
    for (let e = 0; e < E; e++)
      for (let f = 0; f < F; f++) {
        let inputNonzero = 0;
        for (let c = 0; c < C; c++)
          for (let r = 0; r < R; r++)
            for (let s = 0; s < R; s++) {
              const y = e * stride + r - pad;
              const z = f * stride + s - pad;
              if (y < 0 || y >= H || z < 0 || z >= W) continue;
              if (x[((b * C + c) * H + y) * W + z] !== 0) inputNonzero++;
            }
        fp += inputNonzero * K;
        for (let k = 0; k < K; k++) {
          if (du[((b * K + k) * E + e) * F + f] === 0) continue;
          wg += inputNonzero;
          // Each in-range tap sends this du to one input position, for every input channel.
          for (let r = 0; r < R; r++)
            for (let s = 0; s < R; s++) {
              const y = e * stride + r - pad;
              const z = f * stride + s - pad;
              if (y >= 0 && y < H && z >= 0 && z < W) bp += C;
            }
        }
      }
  return { fp, bp, wg };
}

function stepOps(run: TrainingRun, layer: string, stage: string, t: number): number {
  let n = 0;
  run.run.steps.forEach((r, i) => {
    const s = run.schedule.steps[i]!;
    const tag = s.attribution!;
    if (s.kind === 'gemm' && s.label.split('/')[0] === layer && tag.stage === stage && tag.t === t) n += r.counts.activeOps;
  });
  return n;
}

describe('measured sparsity: the hardware model counts what the functional model computed', () => {
  for (const [network, coding, dataflow] of [['digits-cnn', 'rate', 'ws'], ['digits-cnn', 'direct', 'os']] as const) {
    it(`${network}, ${coding} coding, ${dataflow}: every GEMM's active operations equal those of the tensors`, () => {
      const cfg = resolveConfig({ network, coding, dataflow, batch: 3, timesteps: 3, sparsity: { mode: 'measured' }, dataset: 'digits', seed: 5 });
      const run = simulateTraining(cfg, registry);
      const bptt = run.measurement!.bptt;
      expect(run.result.sparsitySource).toBe('measured');
      let checked = 0;
      bptt.layers.forEach((tr: LayerTrace) => {
        if (tr.kind !== 'conv' && tr.kind !== 'fc') return;
        // Its neuron (format 1: the next node) keeps sg and du; du is the current's output gradient.
        const neuron = bptt.layers[tr.layer.index + 1]!;
        for (let t = 0; t < 3; t++) {
          const x = tr.x[0]![t]!;
          const du = tr.dy[t]!;
          expect([...du]).toEqual([...neuron.state['du']![t]!]);
          const first = tr.layer.inputs[0] === -1;
          const analog = first && coding === 'direct';
          if (tr.kind === 'conv') {
            const want = expectedConvOps(tr.layer as ResolvedLayer<ConvAttrs>, x, du, 3);
            expect(stepOps(run, tr.layer.name, 'FP', t)).toBe(want.fp);
            if (!first) expect(stepOps(run, tr.layer.name, 'BP', t)).toBe(want.bp);
            expect(stepOps(run, tr.layer.name, 'WG', t)).toBe(want.wg);
            expect(analog ? want.fp : 1).toBeGreaterThan(0);
          } else {
            let xNz = 0;
            let duNz = 0;
            for (const v of Array.from(x)) if (v !== 0) xNz++;
            for (const v of Array.from(du)) if (v !== 0) duNz++;
            expect(stepOps(run, tr.layer.name, 'FP', t)).toBe(xNz * tr.layer.outSize);
            expect(stepOps(run, tr.layer.name, 'BP', t)).toBe(duNz * tr.layer.inSize);
          }
          // The gradient unit skips its multiply exactly where sg or ds is zero.
          const skipped = run.schedule.steps.filter((s) => s.kind === 'gradient' && s.label === `${neuron.layer.name}/BP/t${t + 1}/gradient`).map((s) => (s.kind === 'gradient' ? s.skipped!.multiply! : 0));
          const sg = neuron.state['sg']![t]!;
          const ds = neuron.dy[t]!;
          let zero = 0;
          for (let i = 0; i < sg.length; i++) if (sg[i] === 0 || ds[i] === 0) zero++;
          expect(skipped).toEqual([zero]);
          checked++;
        }
      });
      expect(checked).toBe(3 * 3);
      // The densities the result reports are the functional model's.
      const d = (run.result as unknown as { densities: { layer: string; perStep: { spike: number }[] }[] }).densities;
      const lif1 = bptt.layers[1]!;
      expect(d[1]!.layer).toBe('conv1_lif');
      expect(d[1]!.perStep[1]!.spike).toBe(lif1.nnz[1]!.y / lif1.numel);
    });
  }

  it('batched time steps count the same operations as step by step', () => {
    const cfg = (dataflow: string) => resolveConfig({ network: 'digits-cnn', dataflow, batch: 2, sparsity: { mode: 'measured' }, dataset: 'digits' });
    const ops = (dataflow: string) => simulateTraining(cfg(dataflow), registry).result.ops;
    const a = ops('ws');
    const b = ops('sata');
    for (const k of ['FP.and_accumulate', 'FP.mac', 'BP.mac', 'WG.and_accumulate', 'WG.mac']) expect(b[k]).toEqual(a[k]);
  });
});
