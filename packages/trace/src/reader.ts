import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { ConfigError, readInputFile, type TimelineCounter, type TimelineSlice } from '@sata/core';
import { decodeRestricted } from './canonical.js';
import {
  DEF_ACTION,
  DEF_KEY,
  DEF_KIND,
  DEF_TIMELINE,
  DIGEST_BYTES,
  ENTRY_COUNTER,
  ENTRY_SLICE,
  FORMAT_NAME,
  FRAME_CHUNK,
  FRAME_FOOTER,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_RECORDS,
  MAX_HEADER_BYTES,
  READABLE_VERSIONS,
  type ActionCount,
  type TraceFooter,
  type TraceHeader,
  type TraceRecord,
} from './format.js';
import { DEFAULT_LIMITS, StrictDecoder, TraceFormatError, describe } from './msgpack.js';

/** Random access to the bytes of a trace: a file read piece by piece, or a buffer. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer at the end). */
  read(offset: number, length: number): Buffer;
  close(): void;
}

export class FileSource implements ByteSource {
  private fd: number | undefined;
  readonly size: number;
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
      const st = fstatSync(this.fd);
      if (!st.isFile()) throw new ConfigError(`trace ${path}: ${st.isDirectory() ? 'is a directory, not a file' : 'not a regular file (TraceReader.open reads it as a stream)'}`);
      this.size = st.size;
    } catch (e) {
      this.close();
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`cannot read trace ${path}: ${(e as Error).message}`);
    }
  }
  read(offset: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.fd!, buf, got, n - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    return got === n ? buf : buf.subarray(0, got);
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The most a trace that is not a regular file may have: it is held in memory whole. */
export const MAX_STREAMED_TRACE_BYTES = 1 << 30;

function isRegularOrMissing(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() || st.isDirectory(); // a directory: FileSource names the problem
  } catch {
    return true; // FileSource names the problem
  }
}

export class BufferSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number): Buffer {
    const b = this.bytes.subarray(offset, Math.min(this.bytes.length, offset + length));
    return Buffer.from(b.buffer, b.byteOffset, b.length);
  }
  close(): void {}
}

/** One chunk as read: its frame, raw record bytes, and decoded records. */
export interface TraceChunk {
  readonly index: number;
  /** Absolute offset of the chunk frame. */
  readonly offset: number;
  /** Offset just past it. */
  readonly end: number;
  readonly firstRecord: number;
  readonly records: readonly TraceRecord[];
  /** The timeline entries in the chunk, in the order written. */
  readonly slices: readonly TimelineSlice[];
  readonly counters: readonly TimelineCounter[];
  /** Byte ranges of each record's entry inside `body` (definitions excluded). */
  readonly spans: ReadonlyArray<readonly [number, number]>;
  readonly body: Buffer;
  /** The whole frame as it is in the file. */
  readonly raw: Buffer;
  readonly digest: string;
}

const FRAME_HEAD_MAX = 128;

/**
 * Reads a trace chunk by chunk, validating everything: magic, format version, every
 * length against the limits and the file size, the chained digest of each chunk before
 * decoding it, frame fields against the running counts, definitions, and the footer.
 * Problems are `TraceFormatError`s (a ConfigError: exit code 2) naming the byte offset and
 * the first record of the chunk where they start; everything before that was valid.
 */
export class TraceReader {
  readonly header: TraceHeader;
  /** The header frame's bytes (the digest chain starts from them). */
  readonly headerRaw: Buffer;
  private pos: number;
  private digest: Buffer;
  private chunkIndex = 0;
  private recordCount = 0;
  private lastSeq = 0;
  private lastTime = 0;
  private readonly kinds: string[] = [];
  private readonly keys: string[] = [];
  private readonly actions: Array<readonly [string, string, number]> = [];
  private readonly timelineNames: string[] = [];
  private footerValue: TraceFooter | undefined;

  constructor(
    readonly source: ByteSource,
    readonly name = 'trace',
  ) {
    const prefix = source.read(0, 32);
    const d: StrictDecoder = new StrictDecoder(prefix, 0, prefix.length, 0, DEFAULT_LIMITS, name);
    if (source.size === 0) d.fail('the file is empty (not a sata trace)');
    if (prefix[0] !== 0x93) d.fail(`not a sata trace: it does not start with the "${FORMAT_NAME}" header`);
    d.arrayLength();
    const magic = d.value();
    if (magic !== FORMAT_NAME) d.fail(`not a sata trace: format name is ${describe(magic)}, expected "${FORMAT_NAME}"`, 1);
    const vAt = d.pos;
    const version = d.value();
    if (typeof version !== 'number' || !READABLE_VERSIONS.includes(version)) d.fail(`format version ${describe(version)} is not supported (this reader reads versions ${READABLE_VERSIONS.join(' and ')}); use the simulator that wrote it`, vAt);
    const lenAt = d.pos;
    if (prefix[lenAt] !== 0xc6 || prefix.length < lenAt + 5) d.fail('the header is not a bin32 value (truncated or corrupt)', lenAt);
    const len = prefix.readUInt32BE(lenAt + 1);
    const start = lenAt + 5;
    if (len > MAX_HEADER_BYTES) d.fail(`header claims ${len} bytes, more than the limit of ${MAX_HEADER_BYTES}`, lenAt);
    if (start + len > source.size) d.fail(`header claims ${len} bytes but the file has only ${source.size - start} after it (truncated)`, lenAt);
    const bytes = source.read(start, len);
    this.header = parseHeader(decodeRestricted(bytes, start, `${name} header`), start, name, version as number);
    this.headerRaw = source.read(0, start + len);
    this.digest = createHash('sha256').update(this.headerRaw).digest();
    this.pos = start + len;
  }

  /**
   * Opens a trace file: a regular file is read piece by piece; a pipe or device
   * (`<(...)`, `/dev/stdin`) is read whole as a stream, up to MAX_STREAMED_TRACE_BYTES.
   */
  static open(path: string): TraceReader {
    const src = isRegularOrMissing(path) ? new FileSource(path) : new BufferSource(readInputFile(path, 'trace', MAX_STREAMED_TRACE_BYTES));
    try {
      return new TraceReader(src, path);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  /** Offset of the next unread byte. */
  get offset(): number {
    return this.pos;
  }

  get recordsRead(): number {
    return this.recordCount;
  }

  get chunksRead(): number {
    return this.chunkIndex;
  }

  /** The footer, once `nextChunk()` has returned undefined. */
  get footer(): TraceFooter | undefined {
    return this.footerValue;
  }

  /** Names of the interned kinds so far. */
  get kindNames(): readonly string[] {
    return this.kinds;
  }

  private fail(message: string, at: number): never {
    throw new TraceFormatError(
      `${this.name}: byte offset ${at} (chunk ${this.chunkIndex}, records from ${this.recordCount}): ${message}; the ${this.chunkIndex} chunks (${this.recordCount} records) before it are valid`,
      at,
      this.recordCount,
      message,
    );
  }

  /** The next chunk, or undefined after the footer (which is then validated). */
  nextChunk(): TraceChunk | undefined {
    if (this.footerValue) return undefined;
    const at = this.pos;
    if (at >= this.source.size) this.fail('the file ends without a footer (truncated: the run did not finish writing, or the file was cut)', at);
    const head = this.source.read(at, FRAME_HEAD_MAX);
    const d: StrictDecoder = new StrictDecoder(head, 0, head.length, at, DEFAULT_LIMITS, this.name);
    try {
      const n = d.arrayLength();
      const type = d.uint('frame type');
      if (type === FRAME_FOOTER) return this.readFooter(d, n, at);
      if (type !== FRAME_CHUNK) this.fail(`unknown frame type ${type}`, at);
      if (n !== 8) this.fail(`a chunk frame has 8 fields, this one has ${n}`, at);
      const index = d.uint('chunk index');
      if (index !== this.chunkIndex) this.fail(`chunk index ${index}, expected ${this.chunkIndex}`, at);
      const first = d.uint('first record');
      if (first !== this.recordCount) this.fail(`chunk starts at record ${first}, expected ${this.recordCount}`, at);
      const count = d.uint('record count');
      if (count < 1 || count > Math.min(this.header.chunkRecords, MAX_CHUNK_RECORDS)) this.fail(`record count ${count} is outside 1..${this.header.chunkRecords}`, at);
      const baseSeq = d.int('base sequence');
      const baseTime = d.uint('base time');
      if (baseSeq !== this.lastSeq || baseTime !== this.lastTime) this.fail(`chunk base (seq ${baseSeq}, time ${baseTime}) does not continue the previous chunk (seq ${this.lastSeq}, time ${this.lastTime})`, at);
      const digestAt = d.pos;
      const digest = d.bin();
      if (digest.length !== DIGEST_BYTES) this.fail(`digest has ${digest.length} bytes, expected ${DIGEST_BYTES}`, at + digestAt);
      const lenAt = d.pos;
      if (head[lenAt] !== 0xc6 || head.length < lenAt + 5) this.fail('chunk body is not a bin32 value (truncated or corrupt)', at + lenAt);
      const len = head.readUInt32BE(lenAt + 1);
      const bodyAt = at + lenAt + 5;
      if (len > MAX_CHUNK_BYTES) this.fail(`chunk body claims ${len} bytes, more than the limit of ${MAX_CHUNK_BYTES}`, at + lenAt);
      if (bodyAt + len > this.source.size) this.fail(`chunk body claims ${len} bytes but only ${this.source.size - bodyAt} remain (truncated)`, at + lenAt);
      const body = this.source.read(bodyAt, len);
      const expected = createHash('sha256').update(this.digest).update(body).digest();
      if (!expected.equals(digest)) this.fail(`digest mismatch: the chunk's ${len} bytes at offset ${bodyAt} were changed or the digest was damaged`, at);
      const decoded = this.decodeBody(body, bodyAt, count, first, at);
      this.digest = expected;
      const raw = this.source.read(at, bodyAt + len - at);
      this.pos = bodyAt + len;
      this.chunkIndex++;
      return { index, offset: at, end: this.pos, firstRecord: first, records: decoded.records, slices: decoded.slices, counters: decoded.counters, spans: decoded.spans, body, raw, digest: expected.toString('hex') };
    } catch (e) {
      if (e instanceof TraceFormatError && e.record === undefined) this.fail(e.detail, e.offset);
      throw e;
    }
  }

  /** Every record, chunk by chunk (memory holds one chunk). */
  *records(): Generator<TraceRecord> {
    for (let c = this.nextChunk(); c; c = this.nextChunk()) yield* c.records;
  }

  close(): void {
    this.source.close();
  }

  private readFooter(d: StrictDecoder, n: number, at: number): undefined {
    if (n !== 5) this.fail(`a footer has 5 fields, this one has ${n}`, at);
    const chunks = d.uint('footer chunk count');
    const records = d.uint('footer record count');
    const endTime = d.uint('footer end time');
    const digest = d.bin();
    if (chunks !== this.chunkIndex) this.fail(`footer says ${chunks} chunks, the file has ${this.chunkIndex}`, at);
    if (records !== this.recordCount) this.fail(`footer says ${records} records, the file has ${this.recordCount}`, at);
    if (endTime !== this.lastTime) this.fail(`footer end time ${endTime} is not the last record's time ${this.lastTime}`, at);
    if (!this.digest.equals(digest)) this.fail('footer digest does not match the chained digest of the chunks', at);
    const end = at + d.pos;
    if (end !== this.source.size) this.fail(`${this.source.size - end} unexpected bytes after the footer`, end);
    this.pos = end;
    this.footerValue = { chunks, records, endTime, digest: Buffer.from(digest).toString('hex') };
    return undefined;
  }

  private decodeBody(body: Buffer, bodyAt: number, count: number, first: number, frameAt: number) {
    const d: StrictDecoder = new StrictDecoder(body, 0, body.length, bodyAt, DEFAULT_LIMITS, this.name);
    d.keyNames = this.keys;
    const records: TraceRecord[] = [];
    const spans: Array<readonly [number, number]> = [];
    const slices: TimelineSlice[] = [];
    const counters: TimelineCounter[] = [];
    let seq = this.lastSeq;
    let time = this.lastTime;
    const nPorts = this.header.ports.length;
    while (!d.done) {
      const start = d.pos;
      const n = d.arrayLength();
      if (n === 3 || n === 5) {
        this.define(d, n, start);
        continue;
      }
      if ((n === 6 || n === 4) && this.header.version >= 2) {
        if (n === 6) slices.push(this.slice(d, start));
        else counters.push(this.counter(d, start));
        continue;
      }
      if (n !== 7 && n !== 8) d.fail(`an entry has ${n} fields; records have 7 or 8, definitions 3 or 5${this.header.version >= 2 ? ', timeline slices 6, counters 4' : ''}`, start);
      if (records.length === count) d.fail(`more records than the ${count} the chunk frame declares`, start);
      seq += d.int('sequence delta');
      const dt = d.uint('time delta');
      time += dt;
      if (!Number.isSafeInteger(time) || !Number.isSafeInteger(seq)) d.fail('time or sequence overflows', start);
      const priority = d.uint('priority');
      const kindAt = d.pos;
      const kindId = d.uint('kind');
      if (kindId >= this.kinds.length) d.fail(`kind id ${kindId} was never defined`, kindAt);
      const source = this.portRef(d, nPorts, 'source');
      const destination = this.portRef(d, nPorts, 'destination');
      const data = d.value(1);
      let actions: ActionCount[] = [];
      if (n === 8) {
        const aAt = d.pos;
        const m = d.arrayLength();
        if (m % 2 !== 0 || m === 0) d.fail(`action counts come in (id, count) pairs, got ${m} values`, aAt);
        actions = new Array(m / 2);
        for (let i = 0; i < m; i += 2) {
          const idAt = d.pos;
          const id = d.uint('action id');
          const key = this.actions[id];
          if (!key) d.fail(`action id ${id} was never defined`, idAt);
          const cAt = d.pos;
          const c = d.value(1);
          if (typeof c !== 'number' || c < 0) d.fail(`action count must be a number >= 0, got ${describe(c)}`, cAt);
          actions[i / 2] = [key[0], key[1], key[2], c];
        }
      }
      records.push({ index: first + records.length, seq, time, priority, kind: this.kinds[kindId]!, source, destination, data, actions });
      spans.push([start, d.pos]);
    }
    if (records.length !== count) this.fail(`the chunk frame declares ${count} records but its body holds ${records.length}`, frameAt);
    this.recordCount += count;
    this.lastSeq = seq;
    this.lastTime = time;
    return { records, spans, slices, counters };
  }

  private timelineRef(d: StrictDecoder, what: string): string {
    const at = d.pos;
    const id = d.uint(what);
    if (id >= this.timelineNames.length) d.fail(`${what} ${id} was never defined`, at);
    return this.timelineNames[id]!;
  }

  private slice(d: StrictDecoder, at: number): TimelineSlice {
    if (d.string('timeline entry tag') !== ENTRY_SLICE) d.fail(`a 6-field entry must be a timeline slice ["${ENTRY_SLICE}", track, start, end, name, args]`, at);
    const track = this.timelineRef(d, 'timeline track');
    const start = d.uint('slice start');
    const end = d.uint('slice end');
    if (end < start) d.fail(`timeline slice on ${track} ends (${end}) before it starts (${start})`, at);
    const name = this.timelineRef(d, 'timeline slice name');
    const argsAt = d.pos;
    const args = d.value(1);
    if (typeof args !== 'object' || args === null || Array.isArray(args) || args instanceof Uint8Array) d.fail('timeline slice arguments must be a map', argsAt);
    for (const [k, v] of Object.entries(args as Record<string, unknown>)) if (typeof v !== 'number' && typeof v !== 'string') d.fail(`timeline slice argument ${k} must be a number or a string, got ${describe(v)}`, argsAt);
    return { track, start, end, name, args: args as Record<string, number | string> };
  }

  private counter(d: StrictDecoder, at: number): TimelineCounter {
    if (d.string('timeline entry tag') !== ENTRY_COUNTER) d.fail(`a 4-field entry must be a timeline counter ["${ENTRY_COUNTER}", track, tick, value]`, at);
    const track = this.timelineRef(d, 'timeline track');
    const tick = d.uint('counter tick');
    const vAt = d.pos;
    const value = d.value(1);
    if (typeof value !== 'number') d.fail(`timeline counter value must be a number, got ${describe(value)}`, vAt);
    return { track, tick, value };
  }

  private portRef(d: StrictDecoder, nPorts: number, what: string): number | null {
    const at = d.pos;
    const v = d.value(1);
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= nPorts) d.fail(`${what} port ${describe(v)} is not in the header's ${nPorts} ports`, at);
    return v;
  }

  private define(d: StrictDecoder, n: number, at: number): void {
    const tag = d.string('definition tag');
    const id = d.uint('definition id');
    const table = tag === DEF_KIND ? this.kinds : tag === DEF_KEY ? this.keys : tag === DEF_ACTION ? this.actions : tag === DEF_TIMELINE && this.header.version >= 2 ? this.timelineNames : d.fail(`unknown definition "${tag}"`, at);
    if (id !== table.length) d.fail(`definition "${tag}" ${id} out of order (expected id ${table.length})`, at);
    if (tag === DEF_ACTION) {
      if (n !== 5) d.fail('an action definition has 5 fields', at);
      this.actions.push([d.string('action component'), d.string('action name'), d.uint('action bits')]);
    } else {
      if (n !== 3) d.fail(`a "${tag}" definition has 3 fields`, at);
      (table as string[]).push(d.string('definition name'));
    }
  }
}

function parseHeader(v: unknown, at: number, name: string, version: number): TraceHeader {
  const bad = (msg: string): never => {
    throw new TraceFormatError(`${name}: byte offset ${at}: header ${msg}`, at);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return bad('is not a map');
  const h = v as Record<string, unknown>;
  const str = (k: string): string => (typeof h[k] === 'string' ? (h[k] as string) : bad(`field "${k}" must be a string`));
  const uint = (x: unknown, what: string): number => (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : bad(`${what} must be a non-negative integer`));
  const arr = (k: string): unknown[] => (Array.isArray(h[k]) ? (h[k] as unknown[]) : bad(`field "${k}" must be an array`));
  const tuple = (x: unknown, n: number, what: string): unknown[] => (Array.isArray(x) && x.length === n ? x : bad(`${what} must be an array of ${n}`));
  const s = (x: unknown, what: string): string => (typeof x === 'string' ? x : bad(`${what} must be a string`));
  const components = arr('components').map((c, i) => {
    const t = tuple(c, 3, `components[${i}]`);
    return { name: s(t[0], `components[${i}] name`), type: s(t[1], `components[${i}] type`), version: s(t[2], `components[${i}] version`) };
  });
  const ports = arr('ports').map((p, i) => {
    const t = tuple(p, 2, `ports[${i}]`);
    const component = uint(t[1], `ports[${i}] component`);
    if (component >= components.length) bad(`ports[${i}] names component ${component} of ${components.length}`);
    return { name: s(t[0], `ports[${i}] name`), component };
  });
  const links = arr('links').map((l, i) => {
    const t = tuple(l, 4, `links[${i}]`);
    const a = uint(t[1], `links[${i}] port a`);
    const b = uint(t[2], `links[${i}] port b`);
    if (a >= ports.length || b >= ports.length) bad(`links[${i}] names a port beyond the ${ports.length} ports`);
    return { name: s(t[0], `links[${i}] name`), a, b, latency: uint(t[3], `links[${i}] latency`) };
  });
  const chunkRecords = uint(h.chunkRecords, 'chunkRecords');
  if (chunkRecords < 1 || chunkRecords > MAX_CHUNK_RECORDS) bad(`chunkRecords ${chunkRecords} is outside 1..${MAX_CHUNK_RECORDS}`);
  if (!('config' in h)) bad('has no "config"');
  return {
    format: FORMAT_NAME,
    version,
    simulator: str('simulator'),
    runKind: str('runKind'),
    config: h.config,
    seed: uint(h.seed, 'seed'),
    plugins: arr('plugins').map((p, i) => s(p, `plugins[${i}]`)),
    components,
    ports,
    links,
    chunkRecords,
  };
}
