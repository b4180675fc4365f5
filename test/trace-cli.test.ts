import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, builtinRegistry, type CliIO } from '@sata/cli';
import { Simulator } from '@sata/core';
import { priceActions } from '@sata/plugin-api';
import { boundedBufferRunKind, MacArray, macArrayRunKind, NO_ACTION_RECORDER, recordRunToFile, type ReplayableRunKind } from '@sata/trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sata-trace-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

async function sata(...args: string[]) {
  const o = io();
  const code = await runCli(args, o.cli);
  return { code, out: o.out(), err: o.err() };
}

describe('sata example --trace, trace info/export, replay', () => {
  it('records a worked-example run that verifies, summarizes and exports', async () => {
    const trace = join(dir, 'ex.trace');
    const plain = await sata('example', '--count', '30', '--json');
    const traced = await sata('example', '--count', '30', '--json', '--trace', trace);
    expect(traced.code).toBe(0);
    expect(JSON.parse(traced.out)).toEqual(JSON.parse(plain.out));
    const events = JSON.parse(plain.out).events as number;

    const info = await sata('trace', 'info', trace, '--json');
    expect(info.code).toBe(0);
    const summary = JSON.parse(info.out);
    expect(summary).toMatchObject({ valid: true, records: events, header: { runKind: 'example.bounded-buffer', plugins: builtinRegistry().pluginList(), config: { count: 30 } } });

    const verify = await sata('replay', trace, '--verify');
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(new RegExp(`verified: ${events} records`));

    const json = join(dir, 'ex.json');
    expect((await sata('trace', 'export', trace, '--format', 'perfetto', '-o', json)).code).toBe(0);
    const exported = JSON.parse(readFileSync(json, 'utf8')) as { traceEvents: Array<{ ph: string; tid: number; name: string; args: Record<string, unknown>; dur?: number }> };
    const threads = exported.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args.name);
    expect(threads).toEqual(['kernel', 'buffer', 'consumer', 'producer']);
    const slices = exported.traceEvents.filter((e) => e.ph === 'X');
    expect(slices.length).toBe(summary.kinds.deliver + summary.kinds.retry);
    expect(slices.every((s) => s.dur === 1 && s.tid >= 1)).toBe(true);
    expect(exported.traceEvents.filter((e) => e.ph === 'X' || e.ph === 'i')).toHaveLength(events);
    expect(readdirSync(dir).sort()).toEqual(['ex.json', 'ex.trace']);
  });

  it('a damaged trace: exit 2, the offset, and how far it reads', async () => {
    const trace = join(dir, 'ex.trace');
    await sata('example', '--count', '400', '--trace', trace);
    const bytes = readFileSync(trace);
    const cut = join(dir, 'cut.trace');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const info = await sata('trace', 'info', cut);
    expect(info.code).toBe(2);
    expect(info.err).toMatch(/byte offset \d+/);
    expect(info.out).toMatch(/damaged: readable up to record \d+/);
    const replay = await sata('replay', cut, '--verify');
    expect(replay.code).toBe(2);
    expect(replay.err).toMatch(/byte offset \d+/);
  });

  it('replay fails clearly for a plugin that is not installed, and reports divergence with exit 1', async () => {
    const ghost = join(dir, 'ghost.trace');
    recordRunToFile(boundedBufferRunKind, { count: 5 }, 1, ghost, { plugins: [...builtinRegistry().pluginList(), 'ghost@1.0.0'] });
    const r = await sata('replay', ghost, '--verify');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/plugin ghost@1.0.0 is not installed/);

    // A "simulator" whose example behaves differently: the consumer is one tick slower than the config says.
    const drifted: ReplayableRunKind<unknown> = { ...boundedBufferRunKind, run: (c, seed, attach) => boundedBufferRunKind.run({ ...(c as object), serviceTime: 4 } as never, seed, attach) };
    const other = join(dir, 'drift.trace');
    recordRunToFile(drifted, { count: 20 }, 1, other, { plugins: builtinRegistry().pluginList() });
    const d = await sata('replay', other, '--verify');
    expect(d.code).toBe(1);
    expect(d.out).toMatch(/DIVERGED: record \d+ differs: recorded seq \d+ at time \d+ \(\w+\)/);
  });

  it('replay --energy prices recorded action counts with an installed energy model, as a direct run would', async () => {
    const trace = join(dir, 'mac.trace');
    const config = { folds: 25, macsPerFold: 40, readsPerFold: 3, bits: 16 };
    recordRunToFile(macArrayRunKind, config, 1, trace, { plugins: builtinRegistry().pluginList() });
    const sim = new Simulator({ seed: 1 });
    const direct = new MacArray(sim, 'array', { ...macArrayRunKind.resolveConfig(config) }, () => NO_ACTION_RECORDER);
    sim.run();
    let priced = 0;
    for (const name of builtinRegistry().list('energyModels').map((e) => e.contribution.name)) {
      const r = await sata('replay', trace, '--energy', name, '--json');
      expect(r.code, name).toBe(0);
      const bill = JSON.parse(r.out);
      const fresh = priceActions(builtinRegistry().get('energyModels', name), direct.tally.list());
      expect(bill.totalPicojoules, name).toBe(fresh.totalPicojoules);
      expect(bill.actions.length + bill.unpriced.length, name).toBe(2);
      if (bill.totalPicojoules > 0) priced++;
    }
    expect(priced).toBeGreaterThan(0);
  });

  it('usage errors: both or neither of --verify and --energy; an unknown energy model', async () => {
    const trace = join(dir, 'ex.trace');
    await sata('example', '--count', '3', '--trace', trace);
    expect((await sata('replay', trace)).code).toBe(2);
    expect((await sata('replay', trace, '--verify', '--energy', 'x')).code).toBe(2);
    const e = await sata('replay', trace, '--energy', 'no-such-model');
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/unknown energy model "no-such-model"/);
    expect((await sata('trace', 'info', join(dir, 'missing.trace'))).code).toBe(2);
  });
});
