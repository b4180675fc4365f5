import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encodeCanonical } from './canonical.js';
import { ByteWriter, StrictDecoder, TraceFormatError } from './msgpack.js';

function decode(bytes: Uint8Array, maxDepth = 32) {
  return new StrictDecoder(bytes, 0, bytes.length, 100, { maxDepth, maxLength: 1000 }).value();
}

describe('ByteWriter', () => {
  it('writes the shortest form of each integer, which any MessagePack decoder reads back', () => {
    const values = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53 - 1)];
    for (const v of values) {
      const w = new ByteWriter(4);
      w.int(v);
      expect(decode(w.bytes())).toBe(v);
      expect(Number(unpack(w.bytes()))).toBe(v);
      // msgpackr writes integers beyond 32 bits as float64; below that both pick the shortest form.
      if (v >= -(2 ** 31) && v < 2 ** 32) expect(w.bytes().equals(pack(v)), `encoding of ${v}`).toBe(true);
    }
  });

  it('writes strings, floats, bins, arrays and maps that msgpackr reads', () => {
    const w = new ByteWriter(1);
    w.arrayHeader(4);
    w.str('héllo'.repeat(10));
    w.float64(1.5);
    w.bin(Uint8Array.from([1, 2, 3]));
    w.mapHeader(1);
    w.str('k');
    w.nil();
    expect(decode(w.bytes())).toEqual(['héllo'.repeat(10), 1.5, Uint8Array.from([1, 2, 3]), { k: null }]);
    expect(unpack(w.bytes())).toEqual(['héllo'.repeat(10), 1.5, Buffer.from([1, 2, 3]), { k: null }]);
  });
});

describe('StrictDecoder', () => {
  const bad: Array<[string, number[], RegExp]> = [
    ['extension fixext1', [0xd4, 0x01, 0x00], /extension type/],
    ['extension ext8', [0xc7, 0x01, 0x65, 0x00], /extension type/],
    ['reserved 0xc1', [0xc1], /reserved/],
    ['truncated array', [0x93, 0x01], /remain/],
    ['absurd array length', [0xdd, 0xff, 0xff, 0xff, 0xff], /exceeds the limit|cannot fit/],
    ['absurd string length', [0xdb, 0x7f, 0xff, 0xff, 0xff, 0x61], /runs past the end/],
    ['absurd bin length', [0xc6, 0x7f, 0xff, 0xff, 0xff], /runs past the end/],
    ['NaN', [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], /non-finite/],
    ['uint64 beyond 2^53', [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], /beyond 2\^53/],
    ['invalid UTF-8', [0xa2, 0xc3, 0x28], /UTF-8/],
    ['integer map key', [0x81, 0x01, 0x02], /map key must be a string/],
    ['duplicate key', [0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02], /duplicate map key/],
  ];
  for (const [name, bytes, msg] of bad) {
    it(`rejects ${name} with the byte offset`, () => {
      let err: unknown;
      try {
        decode(Uint8Array.from(bytes));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TraceFormatError);
      expect((err as Error).message).toMatch(msg);
      expect((err as TraceFormatError).offset).toBeGreaterThanOrEqual(100);
    });
  }

  it('rejects deep nesting without recursing into it', () => {
    const deep = new Uint8Array(100_000).fill(0x91);
    expect(() => decode(deep, 32)).toThrow(/nesting deeper than 32/);
  });

  it('does not let "__proto__" change an object prototype', () => {
    const bytes = Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0x81, 0xa1, 0x78, 0x01]);
    const v = decode(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect((v as { x?: unknown }).x).toBeUndefined();
  });
});

describe('canonical encoding', () => {
  it('sorts keys and normalizes -0, so equal values give equal bytes', () => {
    expect(encodeCanonical({ b: 1, a: [-0, { d: 2, c: 3 }] }).equals(encodeCanonical({ a: [0, { c: 3, d: 2 }], b: 1 }))).toBe(true);
  });
  it('names the path of a value it cannot write', () => {
    expect(() => encodeCanonical({ a: { b: [1, NaN] } }, 'config')).toThrow(/config\.a\.b\[1\]: NaN/);
    expect(() => encodeCanonical({ a: 10n })).toThrow(/bigint/);
  });
});
