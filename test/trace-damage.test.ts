/**
 * A generated corpus of damaged traces: truncations at every chunk boundary and at random
 * offsets, byte flips, a wrong version, absurd lengths, deep nesting, extension types and
 * inconsistent frames. Each must give a TraceFormatError (a ConfigError: exit code 2) that
 * names a byte offset, never an uncaught exception, and every complete chunk before the
 * damage must stay readable.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, Rng } from '@sata/core';
import { BufferSource, boundedBufferRunKind, ByteWriter, inspectTrace, MemorySink, recordRun, TraceFormatError, TraceReader, type TraceChunk } from '@sata/trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let clean: Buffer;
let chunks: TraceChunk[];
let headerEnd: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sata-damage-'));
  const sink = new MemorySink();
  recordRun(boundedBufferRunKind, { count: 120 }, 3, sink, { plugins: ['example@1.0.0'], chunkRecords: 32 });
  clean = sink.bytes();
  const r = new TraceReader(new BufferSource(clean));
  headerEnd = r.offset;
  chunks = [];
  for (let c = r.nextChunk(); c; c = r.nextChunk()) chunks.push(c);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Reads a damaged file both ways (summary and strict); returns the summary. */
function check(bytes: Buffer, label: string) {
  const path = join(dir, `case-${n++}.trace`);
  writeFileSync(path, bytes);
  const info = inspectTrace(path);
  expect(info.valid, label).toBe(false);
  expect(info.error, label).toBeDefined();
  expect(info.error!.message, label).toMatch(/byte offset \d+/);
  let thrown: unknown;
  try {
    const r = TraceReader.open(path);
    try {
      for (const _ of r.records());
    } finally {
      r.close();
    }
  } catch (e) {
    thrown = e;
  }
  expect(thrown, label).toBeInstanceOf(TraceFormatError);
  expect(thrown, label).toBeInstanceOf(ConfigError);
  expect((thrown as TraceFormatError).exitCode).toBe(2);
  return info;
}

/** Chunks that lie wholly before `offset`. */
function intactBefore(offset: number): number {
  return offset < headerEnd ? 0 : chunks.filter((c) => c.end <= offset).length;
}

describe('damaged traces', () => {
  it('has a multi-chunk clean trace to damage', () => {
    expect(chunks.length).toBeGreaterThanOrEqual(10);
    expect(inspectTrace((writeFileSync(join(dir, 'clean.trace'), clean), join(dir, 'clean.trace'))).valid).toBe(true);
  });

  it('truncation at every chunk boundary (and one byte either side) keeps the chunks before it', () => {
    const cuts = new Set<number>([0, 1, 5, 12, headerEnd - 1, headerEnd]);
    for (const c of chunks) for (const d of [-1, 0, 1]) cuts.add(c.offset + d), cuts.add(c.end + d);
    cuts.delete(clean.length);
    for (const cut of [...cuts].filter((x) => x >= 0 && x < clean.length)) {
      const info = check(clean.subarray(0, cut), `cut at ${cut}`);
      expect(info.chunks, `cut at ${cut}`).toBe(intactBefore(cut));
      expect(info.records, `cut at ${cut}`).toBe(info.chunks === 0 ? 0 : chunks[info.chunks - 1]!.firstRecord + chunks[info.chunks - 1]!.records.length);
    }
  });

  it('truncation at 150 random offsets', () => {
    const rng = new Rng(11, 'cuts');
    for (let i = 0; i < 150; i++) {
      const cut = Math.floor(rng.nextFloat() * clean.length);
      const info = check(clean.subarray(0, cut), `cut at ${cut}`);
      expect(info.chunks).toBe(intactBefore(cut));
    }
  });

  it('a flipped byte anywhere is detected, and the chunks before it stay readable', () => {
    const rng = new Rng(12, 'flips');
    const positions = new Set<number>();
    for (let p = 0; p < 40; p++) positions.add(p); // every byte of the envelope and early header
    for (let p = clean.length - 45; p < clean.length; p++) positions.add(p); // the footer
    while (positions.size < 380) positions.add(Math.floor(rng.nextFloat() * clean.length));
    for (const p of positions) {
      const bytes = Buffer.from(clean);
      bytes[p]! ^= 1 + Math.floor(rng.nextFloat() * 255);
      const info = check(bytes, `flip at ${p}`);
      const footer = p >= chunks[chunks.length - 1]!.end;
      expect(info.chunks, `flip at ${p}`).toBe(footer ? chunks.length : intactBefore(p));
    }
  });

  it('a wrong format version or name says so', () => {
    const v3 = Buffer.from(clean);
    v3[12] = 3;
    expect(check(v3, 'version').error!.message).toMatch(/format version 3 is not supported \(this reader reads versions 1 and 2\)/);
    const other = Buffer.from(clean);
    other[2] = 0x78;
    expect(check(other, 'magic').error!.message).toMatch(/not a sata trace/);
    expect(check(Buffer.from('{"traceEvents":[]}'), 'json').error!.message).toMatch(/not a sata trace/);
    expect(check(Buffer.alloc(0), 'empty').error!.message).toMatch(/empty/);
  });

  it('absurd lengths in the header and chunk frames are refused before reading', () => {
    const h = Buffer.from(clean);
    h.writeUInt32BE(0xffffffff, 14);
    expect(check(h, 'header length').error!.message).toMatch(/more than the limit/);
    const h2 = Buffer.from(clean);
    h2.writeUInt32BE(0x00ffffff, 14);
    expect(check(h2, 'header length 2').error!.message).toMatch(/truncated/);
    const c = Buffer.from(clean);
    const lenAt = chunks[3]!.offset + chunks[3]!.raw.length - chunks[3]!.body.length - 4;
    c.writeUInt32BE(0x7fffffff, lenAt);
    const info = check(c, 'chunk length');
    expect(info.error!.message).toMatch(/chunk body claims 2147483647 bytes/);
    expect(info.chunks).toBe(3);
  });

  /** A copy of the clean trace whose chunk 2 has `body` instead, with a correct digest, so that the decoder itself is exercised. */
  function forgeChunk2(body: Buffer, count = chunks[2]!.records.length): Buffer {
    const prev = createHash('sha256').update(clean.subarray(0, headerEnd)).digest();
    const d1 = createHash('sha256').update(prev).update(chunks[0]!.body).digest();
    const d2 = createHash('sha256').update(d1).update(chunks[1]!.body).digest();
    const d3 = createHash('sha256').update(d2).update(body).digest();
    const last1 = chunks[1]!.records[chunks[1]!.records.length - 1]!;
    const f = new ByteWriter(64);
    f.arrayHeader(8);
    f.uint(1);
    f.uint(2);
    f.uint(chunks[2]!.firstRecord);
    f.uint(count);
    f.int(last1.seq);
    f.uint(last1.time);
    f.bin(d3);
    f.bin32(body);
    return Buffer.concat([clean.subarray(0, chunks[2]!.offset), f.bytes(), clean.subarray(chunks[2]!.end)]);
  }

  it('decoder-level damage behind a valid digest: deep nesting, extension types, absurd lengths, undefined ids', () => {
    const record = (...fields: number[]) => Buffer.from([0x97, ...fields]);
    const cases: Array<[string, Buffer, RegExp, number?]> = [
      ['deep nesting', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0), Buffer.alloc(5000, 0x91), Buffer.from([0xc0])]), /nesting deeper than 32/, 1],
      ['extension type', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0), Buffer.from([0xd4, 0x65, 0x00])]), /extension type/, 1],
      ['ext8 RegExp', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0), Buffer.from([0xc7, 0x03, 0x78, 0x61, 0x62, 0x63])]), /extension type/, 1],
      ['absurd array', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0), Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xf0])]), /exceeds the limit|cannot fit/, 1],
      ['absurd string', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0), Buffer.from([0xdb, 0x7f, 0xff, 0xff, 0xff])]), /runs past the end/, 1],
      ['undefined kind', Buffer.concat([record(1, 1, 50, 99, 0xc0, 0xc0, 0xc0)]), /kind id 99 was never defined/, 1],
      ['port out of range', Buffer.concat([record(1, 1, 50, 0, 77, 0xc0, 0xc0)]), /source port 77 is not in the header/, 1],
      ['undefined key', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0), Buffer.from([0x81, 0x70, 0x01])]), /key id 112 was never defined/, 1],
      ['count mismatch', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0, 0xc0)]), /declares 2 records but its body holds 1/, 2],
      ['bad definition', Buffer.from([0x93, 0xa1, 0x7a, 0x00, 0xa1, 0x78]), /unknown definition "z"/, 1],
      ['out-of-order definition', Buffer.from([0x93, 0xa1, 0x6b, 0x09, 0xa1, 0x78]), /out of order/, 1],
      ['odd action list', Buffer.concat([Buffer.from([0x98, 1, 1, 50, 0, 0xc0, 0xc0, 0xc0, 0x91, 0x00])]), /pairs/, 1],
      // Timeline entries (format 2): ["t", id, name] defines a name, ["s", track, start, end, name, args] a slice, ["c", track, tick, value] a counter.
      ['timeline: undefined track', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0, 0xc0), Buffer.from([0x96, 0xa1, 0x73, 0x05, 0x00, 0x01, 0x00, 0x80])]), /timeline track 5 was never defined/, 1],
      ['timeline: slice ends first', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0, 0xc0), Buffer.from([0x93, 0xa1, 0x74, 0x00, 0xa1, 0x78, 0x96, 0xa1, 0x73, 0x00, 0x05, 0x02, 0x00, 0x80])]), /ends \(2\) before it starts \(5\)/, 1],
      ['timeline: wrong tag', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0, 0xc0), Buffer.from([0x96, 0xa1, 0x7a, 0x00, 0x00, 0x01, 0x00, 0x80])]), /must be a timeline slice/, 1],
      ['timeline: arguments not a map', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0, 0xc0), Buffer.from([0x93, 0xa1, 0x74, 0x00, 0xa1, 0x78, 0x96, 0xa1, 0x73, 0x00, 0x01, 0x02, 0x00, 0x90])]), /arguments must be a map/, 1],
      ['timeline: counter value', Buffer.concat([record(1, 1, 50, 0, 0xc0, 0xc0, 0xc0), Buffer.from([0x93, 0xa1, 0x74, 0x00, 0xa1, 0x78, 0x94, 0xa1, 0x63, 0x00, 0x01, 0xa1, 0x78])]), /counter value must be a number/, 1],
    ];
    for (const [label, body, msg, count] of cases) {
      const info = check(forgeChunk2(body, count), label);
      expect(info.error!.message, label).toMatch(msg);
      expect(info.chunks, label).toBe(2);
      expect(info.error!.record, label).toBe(chunks[2]!.firstRecord);
      expect(info.error!.offset, label).toBeGreaterThanOrEqual(chunks[2]!.offset);
    }
  });

  it('trailing garbage after the footer is refused', () => {
    expect(check(Buffer.concat([clean, Buffer.from([0xc0])]), 'trailing').error!.message).toMatch(/unexpected bytes after the footer/);
  });
});
