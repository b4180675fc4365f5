import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, Rng } from '@sata/core';
import { pack } from 'msgpackr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivityWriter, bitmapOf, blockCounts, nonzeros, parseActivityTrace, readActivityTrace, type ActivityHeader } from './activity.js';
import { TraceFormatError } from './msgpack.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sata-activity-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const header: ActivityHeader = { network: 'tiny', timeSteps: 3, batch: 1, layers: [{ name: 'fc1', neurons: 21, block: 8 }, { name: 'out', neurons: 4, block: 4 }] };

function randomSpikes(rng: Rng, n: number, p: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.nextFloat() < p ? 1 : 0;
  return v;
}

describe('activity traces', () => {
  it('round-trips bitmaps and block counts; counts agree across encodings', () => {
    const rng = new Rng(3, 'activity');
    const path = join(dir, 'a.activity');
    const w = ActivityWriter.toFile(path, header);
    const dense = new Map<string, Float32Array>();
    for (let t = 0; t < 3; t++) {
      for (let l = 0; l < 2; l++) {
        const v = randomSpikes(rng, header.layers[l]!.neurons, 0.3);
        dense.set(`${l}/${t}`, v);
        w.write(l, t, 'spikes', { bitmap: bitmapOf(v) });
        w.write(l, t, 'grads', { counts: blockCounts({ bitmap: bitmapOf(v) }, header.layers[l]!) });
      }
    }
    w.close();
    const a = readActivityTrace(path);
    expect(a.header).toEqual(header);
    expect(a.missing()).toEqual([]);
    for (let t = 0; t < 3; t++) {
      for (let l = 0; l < 2; l++) {
        const v = dense.get(`${l}/${t}`)!;
        const s = a.get(l, t, 'spikes')!;
        const g = a.get(l, t, 'grads')!;
        const expected = v.reduce((n, x) => n + (x !== 0 ? 1 : 0), 0);
        expect(nonzeros(s.data, header.layers[l]!)).toBe(expected);
        expect([...blockCounts(s.data, header.layers[l]!)]).toEqual([...blockCounts(g.data, header.layers[l]!)]);
      }
    }
  });

  it('reports missing steps', () => {
    const path = join(dir, 'm.activity');
    const w = ActivityWriter.toFile(path, header);
    w.write(0, 0, 'spikes', { counts: Uint32Array.from([1, 2, 3]) });
    w.close();
    expect(readActivityTrace(path).missing()).toHaveLength(5);
  });

  it('rejects bad steps at write time and leaves no file', () => {
    const path = join(dir, 'bad.activity');
    const w = ActivityWriter.toFile(path, header);
    expect(() => w.write(0, 0, 'spikes', { counts: Uint32Array.from([9, 0, 0]) })).toThrow(/block 0 has 8 neurons but a count of 9/);
    expect(readdirSync(dir)).toEqual([]);
    const w2 = ActivityWriter.toFile(path, header);
    expect(() => w2.write(0, 3, 'spikes', { bitmap: new Uint8Array(3) })).toThrow(/step 3 is outside 0..2/);
    const w3 = ActivityWriter.toFile(path, header);
    expect(() => w3.write(0, 0, 'spikes', { bitmap: Uint8Array.from([0, 0, 0xff]) })).toThrow(/bits past the last neuron/);
    expect(() => ActivityWriter.toFile(path, { ...header, timeSteps: 0 })).toThrow(ConfigError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads what another MessagePack writer produced (any key order), and rejects damage with an offset', () => {
    const h = { layers: [['l0', 10, 5]], timeSteps: 1, network: 'ext', batch: 2 };
    const good = Buffer.concat([pack(['sata-activity', 1, h]), pack([0, 0, 'spikes', 'counts', [2, 5]]), pack(['end', 1])]);
    expect(parseActivityTrace(good).get(0, 0, 'spikes')!.data).toEqual({ counts: Uint32Array.from([2, 5]) });
    const cases: Array<[Buffer, RegExp]> = [
      [good.subarray(0, good.length - 3), /truncated|runs past|remain/],
      [Buffer.concat([pack(['sata-activity', 2, h])]), /version 2 is not supported/],
      [Buffer.concat([pack(['sata-activity', 1, h]), pack([0, 0, 'spikes', 'counts', [2, 6]]), pack(['end', 1])]), /block 1 has 5 neurons but a count of 6/],
      [Buffer.concat([pack(['sata-activity', 1, h]), pack([0, 0, 'spikes', 'counts', [2, 5]]), pack([0, 0, 'spikes', 'counts', [2, 5]]), pack(['end', 2])]), /recorded twice/],
      [Buffer.concat([pack(['sata-activity', 1, h]), Buffer.from([0xd4, 0x65, 0x00])]), /extension type/],
      [Buffer.from('not msgpack at all'), /not an activity trace|byte offset/],
    ];
    for (const [bytes, msg] of cases) {
      let err: unknown;
      try {
        parseActivityTrace(bytes);
      } catch (e) {
        err = e;
      }
      expect(err, String(msg)).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).toMatch(/byte offset \d+/);
    }
    writeFileSync(join(dir, 'x.activity'), good);
    expect(readFileSync(join(dir, 'x.activity')).equals(good)).toBe(true);
    expect(TraceFormatError.prototype).toBeInstanceOf(ConfigError);
  });
});
