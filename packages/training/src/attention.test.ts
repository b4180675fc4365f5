import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '@sata/cli';
import type { LayerSpec, NetworkSpec } from '@sata/plugin-api';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { measure } from './measure.js';
import { writeActivityFromBptt } from './replayed.js';
import { networkFor, simulateTraining, type TrainingRun } from './run.js';

const registry = builtinRegistry();

/** A small Spikformer block: 9 tokens of 8 channels, 2 heads. */
function ssaNet(shared = false): NetworkSpec {
  const sj = { lam: 0.5, gain: 0.5, theta: 0.5 };
  const proj = (x: string, src: string): LayerSpec[] => [
    { type: 'conv', name: `${x}c`, out: 8, kernel: 1, inputs: [src] },
    { type: 'batchnorm', name: `${x}bn` },
    { type: 'lif', name: x, ...sj },
  ];
  return {
    name: 'ssa-test',
    inputShape: [2, 6, 6],
    layers: [
      { type: 'conv', name: 'stem', out: 8, kernel: 3, padding: 1 },
      { type: 'batchnorm', name: 'bn0' },
      { type: 'lif', name: 'n0', ...sj },
      { type: 'maxpool', name: 'mp', k: 3, stride: 2, padding: 1 },
      ...proj('q', 'mp'), ...proj('k', 'mp'), ...proj('v', 'mp'),
      { type: 'ssa', name: 'attn', heads: 2, inputs: shared ? ['q', 'q', 'q'] : ['q', 'k', 'v'] },
      { type: 'lif', name: 'attn_lif', ...sj },
      { type: 'globalavgpool', name: 'gap' },
      { type: 'out', out: 10 },
    ],
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sata-attention-'));

function withNetwork(spec: NetworkSpec, o: Record<string, unknown>): TrainingRun {
  const file = join(dir, `${spec.name}-${spec.layers.length}-${JSON.stringify(spec.layers).length}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return simulateTraining(resolveConfig({ network: file, ...o } as never), registry);
}

/** Active operations of the attention GEMMs by role (the label's last part) and step. */
function opsByRole(run: TrainingRun, layer: string): Map<string, number> {
  const m = new Map<string, number>();
  run.run.steps.forEach((r, i) => {
    const s = run.schedule.steps[i]!;
    if (s.kind !== 'gemm' || s.label.split('/')[0] !== layer) return;
    const key = `${s.label.split('/').pop()}@${s.attribution!.t}`;
    m.set(key, (m.get(key) ?? 0) + r.counts.activeOps);
  });
  return m;
}

describe('attention GEMMs of activations', () => {
  it('measured: every attention GEMM counts the AND of its two operands, straight from the functional tensors', () => {
    const B = 2;
    const T = 2;
    const run = withNetwork(ssaNet(), { batch: B, timesteps: T, dataflow: 'ws', sparsity: { mode: 'measured' }, dataset: 'synthetic', seed: 3 });
    const tr = run.measurement!.bptt.layers.find((l) => l.layer.name === 'attn')!;
    const [D, N, dh, H] = [8, 9, 4, 2];
    const ops = opsByRole(run, 'attn');
    const nz = (x: ArrayLike<number>, i: number): number => (x[i] !== 0 ? 1 : 0);
    for (let t = 0; t < T; t++) {
      const [q, k, v] = [tr.x[0]![t]!, tr.x[1]![t]!, tr.x[2]![t]!];
      const [A, dA, dy] = [tr.state['A']![t]!, tr.state['dA']![t]!, tr.dy[t]!];
      const want = { scores: 0, attend: 0, 'score-grad': 0, 'value-grad': 0, 'query-grad': 0, 'key-grad': 0 };
      for (let b = 0; b < B; b++)
        for (let h = 0; h < H; h++)
          for (let n = 0; n < N; n++)
            for (let m = 0; m < N; m++) {
              const a = nz(A, ((b * H + h) * N + n) * N + m);
              const g = nz(dA, ((b * H + h) * N + n) * N + m);
              for (let d = 0; d < dh; d++) {
                const at = (x: ArrayLike<number>, p: number): number => nz(x, (b * D + h * dh + d) * N + p);
                want.scores += at(q, n) * at(k, m);
                want.attend += at(v, m) * a;
                want['score-grad'] += at(v, m) * at(dy, n);
                want['value-grad'] += at(dy, n) * a;
                want['query-grad'] += at(k, m) * g;
                want['key-grad'] += at(q, n) * g;
              }
            }
      for (const [role, n] of Object.entries(want)) expect(ops.get(`${role}@${t}`), `${role} at t=${t}`).toBe(n);
      expect(want.scores).toBeGreaterThan(0);
      expect(want['query-grad']).toBeGreaterThan(0);
    }
  });

  it('replayed: the GEMMs whose operands the trace holds (Q, K, V, dY) count as measured; the scores come from their density', () => {
    const file = join(dir, 'ssa-replay.json');
    writeFileSync(file, JSON.stringify(ssaNet()));
    const base = resolveConfig({ network: file, batch: 2, timesteps: 2, dataflow: 'ws', sparsity: { mode: 'measured' }, seed: 3 });
    const m = measure(networkFor(base, registry), base, registry);
    const trace = join(dir, 'ssa.activity');
    writeActivityFromBptt(trace, networkFor(base, registry), m.bptt);
    const measured = opsByRole(simulateTraining(base, registry, { measurement: m }), 'attn');
    const replayed = opsByRole(simulateTraining(resolveConfig({ network: file, batch: 2, timesteps: 2, dataflow: 'ws', sparsity: { mode: 'replayed', activityTrace: trace }, seed: 3 }), registry), 'attn');
    for (const t of [0, 1]) {
      for (const role of ['scores', 'score-grad']) expect(replayed.get(`${role}@${t}`), `${role}@${t}`).toBe(measured.get(`${role}@${t}`));
      // A V: the recorded V slice's density times the scores' density from the recorded Q and K densities.
      const tr = m.bptt.layers.find((l) => l.layer.name === 'attn')!;
      const [D, N, dh] = [8, 9, 4];
      const frac = (x: ArrayLike<number>, o = 0, n = x.length): number => Array.from({ length: n }, (_, i) => x[o + i]).filter((v) => v !== 0).length / n;
      const [q, k, v] = [tr.x[0]![t]!, tr.x[1]![t]!, tr.x[2]![t]!];
      const scores = 1 - (1 - frac(q) * frac(k)) ** dh;
      let want = 0;
      for (let b = 0; b < 2; b++) for (let h = 0; h < 2; h++) want += dh * N * N * frac(v, (b * D + h * dh) * N, dh * N) * scores;
      expect(Math.abs(replayed.get(`attend@${t}`)! - want)).toBeLessThanOrEqual(1e-9 * want);
    }
  });

  it('statistical: the scores of spikes are AND-counts of Q and K densities, their zeros gate A V', () => {
    const run = withNetwork(ssaNet(), { timesteps: 1, dataflow: 'ws' });
    const ops = opsByRole(run, 'attn');
    const rho = 1 - 0.9;
    const [N, dh, H] = [9, 4, 2];
    const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * b);
    close(ops.get('scores@0')!, H * N * N * dh * rho * rho);
    close(ops.get('attend@0')!, H * dh * N * N * rho * (1 - (1 - rho * rho) ** dh));
    const steps = run.schedule.steps.filter((s) => s.kind === 'gemm' && s.label.startsWith('attn/'));
    expect(steps.every((s) => s.kind === 'gemm' && s.gating === 'any')).toBe(true);
    // Every operand pair but dY^T A has a spike operand as its ifmap: an AND-gated accumulate.
    const byRole = new Map(steps.map((s) => [s.label.split('/').pop()!, s.kind === 'gemm' ? s.operation : '']));
    expect(Object.fromEntries(byRole)).toEqual({ scores: 'and_accumulate', attend: 'and_accumulate', 'score-grad': 'and_accumulate', 'value-grad': 'mac', 'query-grad': 'and_accumulate', 'key-grad': 'and_accumulate' });
  });

  it('heads write slices of one gradient: only a second reader of the same slice accumulates', () => {
    const acc = (run: TrainingRun): Record<string, boolean> =>
      Object.fromEntries(run.schedule.steps.filter((s) => s.kind === 'gemm' && s.label.startsWith('attn/BP')).map((s) => [s.label, s.kind === 'gemm' && s.accumulate === true]));
    const separate = acc(withNetwork(ssaNet(), { timesteps: 1, dataflow: 'ws' }));
    expect(Object.values(separate).some((x) => x)).toBe(false);
    // Q = K = V = q: per head the value gradient comes first, the query and key gradients add onto it.
    const shared = acc(withNetwork(ssaNet(true), { timesteps: 1, dataflow: 'ws' }));
    for (const h of ['h1', 'h2']) {
      expect(shared[`attn/BP/t1/${h}/value-grad`]).toBe(false);
      expect(shared[`attn/BP/t1/${h}/query-grad`]).toBe(true);
      expect(shared[`attn/BP/t1/${h}/key-grad`]).toBe(true);
    }
  });

  it('the ANN counterpart: softmax puts exp, sums and divides on the vector unit, priced; linear attention has none', () => {
    const [N, H] = [9, 2];
    const softmax = withNetwork(ssaNet(), { arch: 'eyeriss' });
    const linear = withNetwork(ssaNet(), { arch: 'eyeriss', ann: { attention: 'linear' } });
    const vectorOps = (run: TrainingRun, op: string): number =>
      run.schedule.steps.reduce((s, x) => s + (x.kind === 'elementwise' && x.label.startsWith('attn/') ? x.elements * (x.ops?.perElement[op] ?? 0) : 0), 0);
    expect(vectorOps(softmax, 'exp')).toBe(H * N * N);
    expect(vectorOps(softmax, 'divide')).toBe(H * N * N);
    expect(vectorOps(linear, 'exp')).toBe(0);
    expect(softmax.result.unpriced).toEqual([]);
    expect(softmax.result.energyPJ.total).toBeGreaterThan(linear.result.energyPJ.total);
    expect(() => resolveConfig({ ann: { attention: 'relu' } } as never)).toThrow(/ann.attention must be one of softmax, linear, got "relu"/);
  });
});
