/**
 * Traces of the hardware runs (issue 6): `--trace` on simulate, compare and layer; replay
 * verification; re-costing with another energy model equals a fresh run with it; activity
 * traces (sata train --record-activity, sata simulate --activity); clear errors (exit 2).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '@sata/cli';
import { recordRunToFile } from '@sata/trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The CLI's run kinds are not part of its public API; tests reach them by path.
import { simulateRunKind } from '../packages/cli/src/runs/simulate-kind.js';
import { sataJoined as sata } from './cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sata-trace-training-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODELS = ['sata-32nm', 'eyeriss', 'horowitz-45nm'];

describe('sata simulate --trace', () => {
  it('records the digits network; the trace verifies by replay; same run, same bytes', async () => {
    const a = join(dir, 'a.trace');
    const b = join(dir, 'b.trace');
    const r = await sata('simulate', '--network', 'digits-cnn', '--trace', a, '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/trace: \d+ records, \d+ bytes/);
    expect((await sata('simulate', '--network', 'digits-cnn', '--trace', b, '--json')).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const v = await sata('replay', a, '--verify');
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(/^verified: \d+ records replay identically/);
    const info = await sata('trace', 'info', a, '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.out).header.runKind).toBe('simulate');
  });

  it('replay --energy MODEL gives the energy figures of a fresh run with MODEL (SNN on SATA and ANN on the baseline)', async () => {
    for (const arch of ['sata', 'eyeriss']) {
      const trace = join(dir, `${arch}.trace`);
      expect((await sata('simulate', '--network', 'digits-cnn', '--arch', arch, '--trace', trace, '--json')).code).toBe(0);
      for (const model of MODELS) {
        const fresh = await sata('simulate', '--network', 'digits-cnn', '--arch', arch, '--energy', model, '--json');
        expect(fresh.code, fresh.err).toBe(0);
        const re = await sata('replay', trace, '--energy', model, '--json');
        expect(re.code, re.err).toBe(0);
        const f = JSON.parse(fresh.out);
        const g = JSON.parse(re.out);
        expect(g.energyPJ, `${arch} ${model}`).toEqual(f.energyPJ);
        expect(g.cycles).toBe(f.cycles);
        expect(g.unpriced).toEqual(f.unpriced);
      }
      const text = await sata('replay', trace, '--energy', 'eyeriss');
      expect(text.out).toMatch(/Energy by stage/);
      expect(text.out).toMatch(/re-costed \d+ recorded steps/);
    }
  });

  it('a time-batched dataflow and a sparsity-unaware run re-cost exactly too', async () => {
    const trace = join(dir, 'os.trace');
    expect((await sata('simulate', '--network', 'digits-cnn', '--dataflow', 'os', '--no-sparsity', '-T', '2', '--trace', trace, '--json')).code).toBe(0);
    const fresh = JSON.parse((await sata('simulate', '--network', 'digits-cnn', '--dataflow', 'os', '--no-sparsity', '-T', '2', '--energy', 'horowitz-45nm', '--json')).out);
    const re = JSON.parse((await sata('replay', trace, '--energy', 'horowitz-45nm', '--json')).out);
    expect(re.energyPJ).toEqual(fresh.energyPJ);
  });
});

describe('sata layer --trace', () => {
  it('records one VGG5 conv layer; verify; re-cost equals sata layer --energy MODEL', async () => {
    const trace = join(dir, 'layer.trace');
    const conv = ['--conv', '32,32,3,3,64,128,1,1', '--density', '0.2,1', '--gating', 'ifmap'];
    const r = await sata('layer', ...conv, '--trace', trace, '--json');
    expect(r.code, r.err).toBe(0);
    expect((await sata('replay', trace, '--verify')).code).toBe(0);
    for (const model of MODELS) {
      const fresh = JSON.parse((await sata('layer', ...conv, '--energy', model, '--json')).out);
      const re = JSON.parse((await sata('replay', trace, '--energy', model, '--json')).out);
      expect(re.energy, model).toEqual(fresh.energy);
      expect(re.cycles).toBe(fresh.totalCycles);
    }
  });
});

describe('sata compare --trace', () => {
  it('writes one simulate trace per simulated run, each verifiable', async () => {
    const base = join(dir, 'cmp.trace');
    const r = await sata('compare', '--network', 'digits-cnn', '-T', '2', '--trace', base, '--json');
    expect(r.code, r.err).toBe(0);
    const files = ['cmp.snn.trace', 'cmp.snn-unaware.trace', 'cmp.ann.trace'].map((f) => join(dir, f));
    for (const f of files) {
      expect(existsSync(f), f).toBe(true);
      const v = await sata('replay', f, '--verify');
      expect(v.code, `${f}: ${v.out}${v.err}`).toBe(0);
    }
    // The aware run's re-cost equals the comparison's SNN figures.
    const cmp = JSON.parse(r.out);
    const re = JSON.parse((await sata('replay', files[0]!, '--energy', 'sata-32nm', '--json')).out);
    expect(re.energyPJ).toEqual(cmp.snnOverAnn.snn.energyPJ);
  });
});

describe('activity traces', () => {
  it('sata train --record-activity writes a trace that sata simulate --activity replays (sparsitySource replayed); train --trace verifies', async () => {
    const act = join(dir, 'digits.activity');
    const tr = join(dir, 'train.trace');
    const t = await sata('train', '--epochs', '1', '--samples', '120', '--dataset', 'synthetic', '--batch', '32', '--record-activity', act, '--activity-batch', '2', '--trace', tr, '--json');
    expect(t.code, t.err).toBe(0);
    expect(existsSync(act)).toBe(true);
    const s = await sata('simulate', '--network', 'digits-cnn', '--batch', '2', '--activity', act, '--json');
    expect(s.code, s.err).toBe(0);
    const res = JSON.parse(s.out);
    expect(res.sparsitySource).toBe('replayed');
    expect(res.config.sparsity.mode).toBe('replayed');
    expect((await sata('replay', tr, '--verify')).code).toBe(0);
    // A simulate trace of a replayed run verifies (the activity file is re-read).
    const st = join(dir, 'replayed.trace');
    expect((await sata('simulate', '--network', 'digits-cnn', '--batch', '2', '--activity', act, '--trace', st, '--json')).code).toBe(0);
    expect((await sata('replay', st, '--verify')).code).toBe(0);
  });

  it('the PyTorch fixture (tools/) replays through the hardware model', async () => {
    const fixture = join(__dirname, '..', 'tools', 'fixtures', 'mlp-torch.activity');
    const s = await sata('simulate', '--network', 'mlp', '-T', '4', '--batch', '2', '--activity', fixture, '--json');
    expect(s.code, s.err).toBe(0);
    const res = JSON.parse(s.out);
    expect(res.sparsitySource).toBe('replayed');
    expect(res.energyPJ.total).toBeGreaterThan(0);
  });

  it('bad activity input: exit 2 with the problem named', async () => {
    const act = join(dir, 'digits.activity');
    const missing = await sata('simulate', '--network', 'digits-cnn', '--activity', join(dir, 'nope.activity'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/activity trace .*nope\.activity: cannot read: no such file/);
    const junk = join(dir, 'junk.activity');
    writeFileSync(junk, Buffer.from([0x93, 0xa3, 0x61, 0x62, 0x63, 1]));
    const j = await sata('simulate', '--network', 'digits-cnn', '--activity', junk);
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/junk\.activity/);
    const cut = join(dir, 'cut.activity');
    writeFileSync(cut, readFileSync(act).subarray(0, 200));
    const c = await sata('simulate', '--network', 'digits-cnn', '--batch', '2', '--activity', cut);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/byte|offset|truncat|end/i);
    const wrongNet = await sata('simulate', '--network', 'mlp', '--batch', '2', '--activity', act);
    expect(wrongNet.code).toBe(2);
    expect(wrongNet.err).toMatch(/recorded for network "digits-cnn".*this run simulates mlp/);
    const wrongT = await sata('simulate', '--network', 'digits-cnn', '--batch', '2', '-T', '3', '--activity', act);
    expect(wrongT.code).toBe(2);
    expect(wrongT.err).toMatch(/4 time steps, the configuration 3/);
    const wrongB = await sata('simulate', '--network', 'digits-cnn', '--activity', act);
    expect(wrongB.code).toBe(2);
    expect(wrongB.err).toMatch(/batch of 2, the configuration 1/);
    const noFile = await sata('simulate', '--network', 'digits-cnn', '--sparsity', 'replayed');
    expect(noFile.code).toBe(2);
    expect(noFile.err).toMatch(/sparsity.mode replayed needs sparsity.activityTrace/);
  });
});

describe('replay robustness', () => {
  it('a simulate trace naming a plugin that is not installed, a damaged trace, a trace of another kind: exit 2', async () => {
    const reg = builtinRegistry();
    const kind = simulateRunKind(reg);
    const cfg = kind.resolveConfig({ network: 'digits-cnn', timesteps: 1 });
    const ghost = join(dir, 'ghost.trace');
    recordRunToFile(kind, cfg, cfg.seed, ghost, { plugins: [...reg.pluginList(), 'ghost-dataflow@2.0.0'] });
    const v = await sata('replay', ghost, '--verify');
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/plugin ghost-dataflow@2.0.0 is not installed/);

    const good = join(dir, 'good.trace');
    expect((await sata('simulate', '--network', 'digits-cnn', '-T', '1', '--trace', good)).code).toBe(0);
    const bytes = readFileSync(good);
    const flipped = join(dir, 'flipped.trace');
    const f = Buffer.from(bytes);
    f[f.length - 100]! ^= 0x40;
    writeFileSync(flipped, f);
    for (const args of [['--verify'], ['--energy', 'eyeriss']]) {
      const r = await sata('replay', flipped, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/byte offset \d+|digest/);
    }
    const ex = join(dir, 'example.trace');
    await sata('example', '--count', '3', '--trace', ex);
    const e = await sata('replay', ex, '--energy', 'eyeriss', '--json');
    expect(e.code).toBe(0); // generic re-cost of other kinds still works
    copyFileSync(good, join(dir, 'copy.trace'));
  });
});
