/**
 * The two ends of MessagePack this package needs on hot paths: a growable byte writer that
 * emits the smallest encoding of each value (so the same values always give the same bytes),
 * and a strict decoder that trusts nothing. msgpackr is used for the header and activity
 * values (see canonical.ts); records are written here because a per-record call into a
 * general encoder costs more than the whole kernel event does (see bench/src/suites/trace.ts).
 */
import { ConfigError } from '@sata/core';

/** A problem in a trace file, with the absolute byte offset where it starts. */
export class TraceFormatError extends ConfigError {
  constructor(
    message: string,
    readonly offset: number,
    /** Index of the first record of the chunk where the problem is, when known. */
    readonly record?: number,
    /** The problem without its location. */
    readonly detail = message,
  ) {
    super(message);
  }
}

export class ByteWriter {
  buf: Buffer;
  pos = 0;
  constructor(capacity = 1 << 16) {
    this.buf = Buffer.alloc(capacity);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = Buffer.alloc(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  nil(): void {
    this.byte(0xc0);
  }

  bool(v: boolean): void {
    this.byte(v ? 0xc3 : 0xc2);
  }

  /** A non-negative safe integer in its shortest form. */
  uint(n: number): void {
    this.ensure(9);
    this.pos = putUint(this.buf, this.pos, n);
  }

  /** A safe integer in its shortest form (non-negative ones as uint, as the spec recommends). */
  int(n: number): void {
    this.ensure(9);
    this.pos = putInt(this.buf, this.pos, n);
  }

  float64(x: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xcb;
    this.buf.writeDoubleBE(x, this.pos);
    this.pos += 8;
  }

  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n + 5);
    const b = this.buf;
    if (n < 32) b[this.pos++] = 0xa0 | n;
    else if (n < 0x100) {
      b[this.pos++] = 0xd9;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = 0xda;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xdb;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
    this.pos += b.write(s, this.pos, n, 'utf8');
  }

  binHeader(n: number): void {
    this.ensure(5);
    const b = this.buf;
    if (n < 0x100) {
      b[this.pos++] = 0xc4;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = 0xc5;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xc6;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  bin(data: Uint8Array): void {
    this.binHeader(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Always bin32, so that a frame's layout does not depend on its size. */
  bin32(data: Uint8Array): void {
    this.ensure(5 + data.length);
    this.buf[this.pos++] = 0xc6;
    this.buf.writeUInt32BE(data.length, this.pos);
    this.pos += 4;
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  arrayHeader(n: number): void {
    this.ensure(5);
    const b = this.buf;
    if (n < 16) b[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      b[this.pos++] = 0xdc;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xdd;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  mapHeader(n: number): void {
    this.ensure(5);
    const b = this.buf;
    if (n < 16) b[this.pos++] = 0x80 | n;
    else if (n < 0x10000) {
      b[this.pos++] = 0xde;
      b.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xdf;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
  }

  /** A canonical number: integers (and -0, as 0) in their shortest int form, others as float64; NaN and infinities rejected (`where` names it). */
  number(x: number, where: string): void {
    if (Number.isSafeInteger(x)) this.int(x === 0 ? 0 : x);
    else if (Number.isFinite(x)) this.float64(x);
    else throw new ConfigError(`${where}: ${String(x)} cannot be written to a trace (canonical payloads hold finite numbers only)`);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Writes a non-negative safe integer at `pos` in its shortest form (room for 9 bytes needed); returns the new position. */
export function putUint(b: Uint8Array, pos: number, n: number): number {
  if (n < 0x80) {
    b[pos] = n;
    return pos + 1;
  }
  if (n < 0x100) {
    b[pos] = 0xcc;
    b[pos + 1] = n;
    return pos + 2;
  }
  if (n < 0x10000) {
    b[pos] = 0xcd;
    b[pos + 1] = n >>> 8;
    b[pos + 2] = n & 0xff;
    return pos + 3;
  }
  if (n < 0x100000000) {
    b[pos] = 0xce;
    put32(b, pos + 1, n);
    return pos + 5;
  }
  b[pos] = 0xcf;
  put32(b, pos + 1, Math.floor(n / 0x100000000));
  put32(b, pos + 5, n >>> 0);
  return pos + 9;
}

/** Writes a safe integer at `pos` in its shortest form; returns the new position. */
export function putInt(b: Uint8Array, pos: number, n: number): number {
  if (n >= 0) return putUint(b, pos, n);
  if (n >= -32) {
    b[pos] = n & 0xff;
    return pos + 1;
  }
  if (n >= -128) {
    b[pos] = 0xd0;
    b[pos + 1] = n & 0xff;
    return pos + 2;
  }
  if (n >= -32768) {
    b[pos] = 0xd1;
    b[pos + 1] = (n >> 8) & 0xff;
    b[pos + 2] = n & 0xff;
    return pos + 3;
  }
  if (n >= -2147483648) {
    b[pos] = 0xd2;
    put32(b, pos + 1, n >>> 0);
    return pos + 5;
  }
  // Two's complement over 64 bits: high word floor(n / 2^32) (negative), low word n mod 2^32.
  const hi = Math.floor(n / 0x100000000);
  b[pos] = 0xd3;
  put32(b, pos + 1, hi >>> 0);
  put32(b, pos + 5, (n - hi * 0x100000000) >>> 0);
  return pos + 9;
}

function put32(b: Uint8Array, pos: number, n: number): void {
  b[pos] = n >>> 24;
  b[pos + 1] = (n >>> 16) & 0xff;
  b[pos + 2] = (n >>> 8) & 0xff;
  b[pos + 3] = n & 0xff;
}

export interface DecodeLimits {
  /** Deepest nesting of arrays and maps. */
  readonly maxDepth: number;
  /** Most elements of one array or entries of one map. */
  readonly maxLength: number;
}

export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({ maxDepth: 32, maxLength: 1 << 24 });

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A strict MessagePack reader over one buffer. Rejects extension types, the reserved byte,
 * lengths that run past the end, nesting deeper than the limit, integers beyond 2^53,
 * non-finite floats, invalid UTF-8, and map keys other than strings (or, with `keyNames`,
 * interned key ids). Errors name the absolute byte offset (`base` + position).
 */
export class StrictDecoder {
  pos: number;
  keyNames: readonly string[] | undefined = undefined;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly base: number,
    readonly limits: DecodeLimits = DEFAULT_LIMITS,
    readonly what = 'trace',
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, at = this.pos): never {
    throw new TraceFormatError(`${this.what}: byte offset ${this.base + at}: ${message}`, this.base + at, undefined, message);
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) this.fail(`${what} needs ${n} bytes but only ${this.end - this.pos} remain (truncated or corrupt)`);
  }

  private u8(): number {
    this.need(1, 'a value');
    return this.buf[this.pos++]!;
  }

  private be(n: number): number {
    this.need(n, 'a number');
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[this.pos++]!;
    return v;
  }

  /** Reads the next value's type byte and returns an array length, or fails. */
  arrayLength(): number {
    const at = this.pos;
    const t = this.u8();
    let n: number;
    if (t >= 0x90 && t <= 0x9f) n = t & 0x0f;
    else if (t === 0xdc) n = this.be(2);
    else if (t === 0xdd) n = this.be(4);
    else return this.fail(`expected an array, found type byte 0x${t.toString(16)}`, at);
    this.checkLength(n, at);
    return n;
  }

  binLength(): number {
    const at = this.pos;
    const t = this.u8();
    const n = t === 0xc4 ? this.be(1) : t === 0xc5 ? this.be(2) : t === 0xc6 ? this.be(4) : this.fail(`expected binary data, found type byte 0x${t.toString(16)}`, at);
    if (n > this.end - this.pos) this.fail(`binary data of ${n} bytes runs past the end (${this.end - this.pos} bytes remain)`, at);
    return n;
  }

  bin(): Uint8Array {
    const n = this.binLength();
    // A copy, as a plain Uint8Array (Buffer#slice would alias the file buffer).
    const out = new Uint8Array(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  uint(what: string): number {
    const at = this.pos;
    const v = this.value(0);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(`${what} must be a non-negative integer, got ${describe(v)}`, at);
    return v;
  }

  int(what: string): number {
    const at = this.pos;
    const v = this.value(0);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(`${what} must be an integer, got ${describe(v)}`, at);
    return v;
  }

  string(what: string): string {
    const at = this.pos;
    const v = this.value(0);
    if (typeof v !== 'string') this.fail(`${what} must be a string, got ${describe(v)}`, at);
    return v;
  }

  private checkLength(n: number, at: number): void {
    if (n > this.limits.maxLength) this.fail(`length ${n} exceeds the limit of ${this.limits.maxLength}`, at);
    if (n > this.end - this.pos) this.fail(`length ${n} cannot fit in the ${this.end - this.pos} bytes that remain (truncated or corrupt)`, at);
  }

  /** Reads one value of any allowed type. */
  value(depth = 0): unknown {
    const at = this.pos;
    const t = this.u8();
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t <= 0x8f) return this.map(t & 0x0f, depth, at);
    if (t <= 0x9f) return this.array(t & 0x0f, depth, at);
    if (t <= 0xbf) return this.str(t & 0x1f, at);
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xc5:
      case 0xc6: {
        this.pos = at;
        return this.bin();
      }
      case 0xca: {
        this.need(4, 'a float32');
        const x = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 4).readFloatBE(0);
        this.pos += 4;
        return this.finite(x, at);
      }
      case 0xcb: {
        this.need(8, 'a float64');
        const x = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readDoubleBE(0);
        this.pos += 8;
        return this.finite(x, at);
      }
      case 0xcc:
        return this.be(1);
      case 0xcd:
        return this.be(2);
      case 0xce:
        return this.be(4);
      case 0xcf: {
        const v = this.be(8);
        if (!Number.isSafeInteger(v)) this.fail('integer beyond 2^53 is not allowed', at);
        return v;
      }
      case 0xd0:
      case 0xd1:
      case 0xd2:
      case 0xd3: {
        const n = 1 << (t - 0xd0);
        this.need(n, 'an integer');
        const b = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, n);
        const v = n === 1 ? b.readInt8(0) : n === 2 ? b.readInt16BE(0) : n === 4 ? b.readInt32BE(0) : Number(b.readBigInt64BE(0));
        this.pos += n;
        if (!Number.isSafeInteger(v)) this.fail('integer beyond 2^53 is not allowed', at);
        return v;
      }
      case 0xd9:
        return this.str(this.be(1), at);
      case 0xda:
        return this.str(this.be(2), at);
      case 0xdb:
        return this.str(this.be(4), at);
      case 0xdc:
        return this.array(this.be(2), depth, at);
      case 0xdd:
        return this.array(this.be(4), depth, at);
      case 0xde:
        return this.map(this.be(2), depth, at);
      case 0xdf:
        return this.map(this.be(4), depth, at);
      case 0xc1:
        return this.fail('reserved type byte 0xc1 (never used by MessagePack)', at);
      default:
        // 0xc7-0xc9, 0xd4-0xd8: extension types. Nothing in a trace may make the reader construct anything.
        return this.fail(`extension type (type byte 0x${t.toString(16)}) is not allowed in a trace`, at);
    }
  }

  private finite(x: number, at: number): number {
    if (!Number.isFinite(x)) this.fail(`non-finite number ${String(x)} is not allowed`, at);
    return x;
  }

  private str(n: number, at: number): string {
    if (n > this.end - this.pos) this.fail(`string of ${n} bytes runs past the end (${this.end - this.pos} bytes remain)`, at);
    let s: string;
    try {
      s = utf8.decode(this.buf.subarray(this.pos, this.pos + n));
    } catch {
      return this.fail('string is not valid UTF-8', at);
    }
    this.pos += n;
    return s;
  }

  private array(n: number, depth: number, at: number): unknown[] {
    if (depth >= this.limits.maxDepth) this.fail(`nesting deeper than ${this.limits.maxDepth} levels`, at);
    this.checkLength(n, at);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private map(n: number, depth: number, at: number): Record<string, unknown> {
    if (depth >= this.limits.maxDepth) this.fail(`nesting deeper than ${this.limits.maxDepth} levels`, at);
    this.checkLength(n, at);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const kat = this.pos;
      const k = this.value(depth + 1);
      let key: string;
      if (typeof k === 'string') key = k;
      else if (this.keyNames && typeof k === 'number' && Number.isInteger(k) && k >= 0) {
        if (k >= this.keyNames.length) this.fail(`map key id ${k} was never defined`, kat);
        key = this.keyNames[k]!;
      } else return this.fail(`map key must be a string, got ${describe(k)}`, kat);
      if (Object.prototype.hasOwnProperty.call(out, key)) this.fail(`duplicate map key "${key}"`, kat);
      const v = this.value(depth + 1);
      // Plain assignment of "__proto__" would change the object's prototype.
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes of binary data`;
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return String(v);
}
