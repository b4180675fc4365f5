import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator, SIMULATOR_VERSION } from '@sata/core';
import type { ActionKey, EnergyModelContribution } from '@sata/plugin-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MacArray, macArrayRunKind } from './examples.js';
import { TraceReader } from './reader.js';
import { priceActions } from '@sata/plugin-api';
import { boundedBufferRunKind, checkReplayable, NO_ACTION_RECORDER, recordRunToFile, recostTrace, RunKindRegistry, verifyTrace, type ReplayableRunKind } from './replay.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sata-replay-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A run whose behaviour a test can change after recording, as a simulator change would. */
let extraDelayAt = -1;
let stopAt = Infinity;
const driftingKind: ReplayableRunKind<{ events: number }> = {
  name: 'test.drifting',
  description: 'a chain of events; one of them can be delayed by a tick',
  resolveConfig: (raw) => ({ events: (raw as { events?: number }).events ?? 100 }),
  run(config, seed, attach) {
    const sim = new Simulator({ seed });
    let i = 0;
    const step = (): void => {
      i++;
      if (i < config.events && i < stopAt) sim.schedule(i === extraDelayAt ? 2 : 1, step, { kind: i % 2 ? 'odd' : 'even', i });
    };
    sim.schedule(0, step, { kind: 'even', i: 0 });
    attach(sim);
    return sim.run();
  },
};

const kinds = new RunKindRegistry([boundedBufferRunKind, macArrayRunKind, driftingKind]);

describe('replay --verify', () => {
  it('succeeds on an unchanged simulator', () => {
    const path = join(dir, 'a.trace');
    const rec = recordRunToFile(boundedBufferRunKind, { count: 300, capacity: 3 }, 7, path, { plugins: ['example@1.0.0'], chunkRecords: 100 });
    const v = verifyTrace(path, kinds, ['example@1.0.0', 'other@2.0.0']);
    expect(v).toMatchObject({ ok: true, records: rec.trace.records, digest: rec.trace.digest });
  });

  it('reports the first divergent record: sequence, time and kind', () => {
    const path = join(dir, 'd.trace');
    extraDelayAt = -1;
    recordRunToFile(driftingKind, { events: 500 }, 1, path, { plugins: [], chunkRecords: 64 });
    extraDelayAt = 300;
    try {
      const v = verifyTrace(path, kinds, []);
      expect(v.ok).toBe(false);
      // Event 299 schedules event 300 two ticks later instead of one: record 300 is the first to differ.
      expect(v.divergence).toMatchObject({ where: 'record', index: 300, recorded: { seq: 300, time: 300, kind: 'even' }, replayed: { seq: 300, time: 301, kind: 'even' } });
      expect(v.divergence!.message).toMatch(/record 300 differs/);
    } finally {
      extraDelayAt = -1;
    }
  });

  it('reports a replay that ends early', () => {
    const path = join(dir, 'e.trace');
    recordRunToFile(driftingKind, { events: 200 }, 1, path, { plugins: [], chunkRecords: 50 });
    stopAt = 180;
    try {
      const v = verifyTrace(path, kinds, []);
      expect(v.ok).toBe(false);
      // Chunks of 50: the fourth chunk (records 150..199) is the first whose bytes differ; record 180 is missing from the replay.
      expect(v.divergence).toMatchObject({ where: 'record', index: 180, recorded: { seq: 180 }, replayed: undefined });
    } finally {
      stopAt = Infinity;
    }
  });

  it('fails clearly when a plugin is missing or at another version, or the simulator differs', () => {
    const path = join(dir, 'p.trace');
    recordRunToFile(boundedBufferRunKind, { count: 5 }, 1, path, { plugins: ['example@1.0.0', 'hw@0.3.0'] });
    expect(() => verifyTrace(path, kinds, ['example@1.0.0'])).toThrow(/plugin hw@0.3.0 is not installed/);
    expect(() => verifyTrace(path, kinds, ['example@1.0.0', 'hw@0.4.0'])).toThrow(/hw@0.3.0 is needed but hw@0.4.0 is installed/);
    const r = TraceReader.open(path);
    expect(() => checkReplayable({ ...r.header, simulator: '9.9.9' }, ['example@1.0.0', 'hw@0.3.0'])).toThrow(new RegExp(`recorded by simulator 9.9.9, this is ${SIMULATOR_VERSION.replace(/\./g, '\\.')}`));
    r.close();
  });

  it('fails clearly for a run kind it does not know', () => {
    const path = join(dir, 'k.trace');
    recordRunToFile(driftingKind, { events: 5 }, 1, path, { plugins: [] });
    expect(() => verifyTrace(path, new RunKindRegistry([boundedBufferRunKind]), [])).toThrow(/run kind "test.drifting" cannot be replayed here \(known: example.bounded-buffer\)/);
  });
});

/** A tiny energy model: a figure per (component, action), linear in bits. */
function fakeModel(name: string, perBit: Record<string, number>): EnergyModelContribution {
  return {
    name,
    version: '1.0.0',
    description: 'test model',
    energyPerAction: (k: ActionKey) => {
      const f = perBit[`${k.component}.${k.action}`];
      return f === undefined ? undefined : { picojoules: f * k.bits, source: `${name} table` };
    },
  };
}

describe('replay --energy (re-cost)', () => {
  it('prices recorded action counts exactly as a direct run prices its own counts', () => {
    const path = join(dir, 'm.trace');
    const config = { folds: 37, macsPerFold: 50, readsPerFold: 5, bits: 4 };
    recordRunToFile(macArrayRunKind, config, 1, path, { plugins: [], chunkRecords: 8 });
    const sim = new Simulator({ seed: 1 });
    const direct = new MacArray(sim, 'array', macArrayRunKind.resolveConfig(config) as unknown as Record<string, unknown>, () => NO_ACTION_RECORDER);
    sim.run();
    for (const model of [fakeModel('a', { 'pe.mac': 0.2, 'globalBuffer.read': 1.5 }), fakeModel('b', { 'pe.mac': 0.05 })]) {
      const fromTrace = recostTrace(path, model);
      const fresh = priceActions(model, direct.tally.list());
      expect(fromTrace.totalPicojoules).toBe(fresh.totalPicojoules);
      expect(fromTrace.actions).toEqual(fresh.actions);
      expect(fromTrace.unpriced).toEqual(fresh.unpriced);
      expect(fromTrace.totalPicojoules).toBeGreaterThan(0);
    }
    const b = recostTrace(path, fakeModel('b', { 'pe.mac': 0.05 }));
    expect(b.unpriced.map((u) => `${u.component}.${u.action}`)).toEqual(['globalBuffer.read']);
    // 37 folds of 50, 49, 48 MACs in turn, at 4 bits and 0.05 pJ/bit.
    const macs = Array.from({ length: 37 }, (_, f) => 50 - (f % 3)).reduce((s, x) => s + x, 0);
    expect(b.totalPicojoules).toBeCloseTo(macs * 4 * 0.05, 9);
  });
});
