import { createHash } from 'node:crypto';
import { ConfigError, Priority, SIMULATOR_VERSION, SimulationError, type Component, type EventRecord, type Port, type Simulator, type TimelineArgs, type TimelineSink } from '@sata/core';
import { encodeCanonical } from './canonical.js';
import {
  CHUNK_BYTE_TARGET,
  DEF_ACTION,
  DEF_KEY,
  DEF_KIND,
  DEF_TIMELINE,
  DEFAULT_CHUNK_RECORDS,
  ENTRY_COUNTER,
  ENTRY_SLICE,
  FORMAT_NAME,
  FORMAT_VERSION,
  FRAME_CHUNK,
  FRAME_FOOTER,
  KIND_CLOCK,
  KIND_DELIVER,
  KIND_EVENT,
  KIND_RETRY,
  MAX_CHUNK_RECORDS,
  type ComponentEntry,
  type LinkEntry,
  type PortEntry,
} from './format.js';
import { ByteWriter, putInt, putUint } from './msgpack.js';
import type { ByteSink } from './sink.js';

export interface TraceWriterOptions {
  /** The replayable run kind that can rebuild this run from `config` and `seed`. */
  readonly runKind: string;
  /** The resolved configuration; stored canonically in the header. */
  readonly config: unknown;
  /** Sorted `name@version` of the registered plugins (`Registry.pluginList()`). */
  readonly plugins: readonly string[];
  /** Records per chunk: the digest interval. */
  readonly chunkRecords?: number;
  /**
   * Maps each event's payload to what the record stores (e.g. a compact summary of a
   * model's message objects, which may hold references that are not data). The record's
   * kind (deliver or retry, event or clock) still follows the original payload.
   */
  readonly payload?: (payload: unknown) => unknown;
}

export interface TraceSummary {
  readonly records: number;
  readonly chunks: number;
  readonly bytes: number;
  /** Time of the last record. */
  readonly endTime: number;
  /** Hex of the final chained SHA-256. */
  readonly digest: string;
  /** Timeline entries written. */
  readonly timeline: { readonly slices: number; readonly counters: number };
}

const MAX_DATA_DEPTH = 32;

/**
 * Records a simulation as it runs: subscribes to the kernel's `event` and `finish`
 * observers, encodes each event as a record into the current chunk, and hands each full
 * chunk to the sink, so memory holds one chunk at most. See FORMAT.md for the layout.
 *
 * Actions performed while handling an event can be attached to that event's record with
 * `countAction` (besides those its payload declares): the record stays open until the next
 * event starts. What the model reports to `timeline` while handling an event is written
 * after that event's record.
 */
export class TraceWriter {
  private readonly chunk = new ByteWriter(1 << 16);
  private readonly frame = new ByteWriter(128);
  private readonly defs = new ByteWriter(256);
  private readonly chunkRecords: number;
  private readonly portIds = new Map<Port<any>, number>();
  private readonly portList: Port<any>[] = [];
  private readonly kindIds = new Map<string, number>();
  private readonly keyIds = new Map<string, number>();
  private readonly actionIds = new Map<string, number>();
  private readonly timelineIds = new Map<string, number>();
  /** Timeline entries reported while the open record is open (they follow it). */
  private readonly timelineBuf = new ByteWriter(256);
  private slices = 0;
  private counters = 0;
  private lastKind = '';
  private lastKindId = -1;
  private digest: Buffer;
  private records = 0;
  private chunks = 0;
  private bytes = 0;
  private chunkCount = 0;
  private chunkFirst = 0;
  private baseSeq = 0;
  private baseTime = 0;
  private lastSeq = 0;
  private lastTime = 0;
  /** Start of the open record in `chunk` (-1 when none), and its action counts so far. */
  private openAt = -1;
  private readonly openActions: number[] = [];
  private state: 'open' | 'finished' | 'failed' = 'open';
  private summaryValue: TraceSummary | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly mapPayload: ((payload: unknown) => unknown) | undefined;

  private constructor(
    private readonly sim: Simulator,
    private readonly sink: ByteSink,
    opts: TraceWriterOptions,
  ) {
    this.chunkRecords = opts.chunkRecords ?? DEFAULT_CHUNK_RECORDS;
    this.mapPayload = opts.payload;
    if (!Number.isSafeInteger(this.chunkRecords) || this.chunkRecords < 1 || this.chunkRecords > MAX_CHUNK_RECORDS) {
      throw new ConfigError(`chunk size must be 1..${MAX_CHUNK_RECORDS} records, got ${this.chunkRecords}`);
    }
    const header = encodeCanonical(this.headerValue(opts), 'trace header');
    const w = new ByteWriter(header.length + 32);
    w.arrayHeader(3);
    w.str(FORMAT_NAME);
    w.uint(FORMAT_VERSION);
    w.bin32(header);
    this.digest = createHash('sha256').update(w.bytes()).digest();
    this.emit(w.bytes());
  }

  /**
   * Starts recording `sim`, which must be fully built (components created and connected)
   * and not yet run. The trace is committed when the simulation finishes, or by `finish()`.
   */
  static attach(sim: Simulator, sink: ByteSink, opts: TraceWriterOptions): TraceWriter {
    if (sim.phase !== 'build') {
      sink.abort();
      throw new SimulationError(`a trace must be attached before the simulation starts (phase: ${sim.phase})`);
    }
    let writer: TraceWriter;
    try {
      writer = new TraceWriter(sim, sink, opts);
    } catch (e) {
      sink.abort();
      throw e;
    }
    writer.unsubscribe.push(sim.observe('event', writer.onEvent), sim.observe('finish', () => writer.finish()));
    return writer;
  }

  /** The summary once the trace is committed. */
  get summary(): TraceSummary | undefined {
    return this.summaryValue;
  }

  /** Attaches an action count to the record of the event being handled now. */
  countAction(component: string, action: string, bits: number, count: number): void {
    if (this.openAt < 0 || this.sim.phase !== 'run') throw new SimulationError(`action ${component}.${action} counted outside an event: a trace attaches counts to the event being handled`);
    this.pushAction(component, action, bits, count, 'countAction');
  }

  /** Where the model reports its timeline: stored as entries after the current event's record (see FORMAT.md). */
  readonly timeline: TimelineSink = {
    slice: (track, start, end, name, args) => this.timelineEntry(() => {
      const w = this.timelineBuf;
      w.arrayHeader(6);
      w.str(ENTRY_SLICE);
      w.uint(this.timelineName(track));
      w.uint(checkTick(start, 'slice start'));
      w.uint(checkTick(end, 'slice end'));
      w.uint(this.timelineName(name));
      this.writeArgs(args, name);
      if (end < start) throw new ConfigError(`timeline slice ${name} on ${track} ends (${end}) before it starts (${start})`);
      this.slices++;
    }),
    counter: (track, tick, value) => this.timelineEntry(() => {
      const w = this.timelineBuf;
      w.arrayHeader(4);
      w.str(ENTRY_COUNTER);
      w.uint(this.timelineName(track));
      w.uint(checkTick(tick, 'counter tick'));
      w.number(value === 0 ? 0 : value, `timeline counter ${track}`);
      this.counters++;
    }),
  };

  /** Closes the trace: last chunk, footer, commit. Called by the `finish` observer; call it yourself after `runUntil`. */
  finish(): TraceSummary {
    if (this.state === 'finished') return this.summaryValue!;
    if (this.state === 'failed') throw new SimulationError('the trace writer failed earlier; no trace was written');
    try {
      this.closeOpen();
      if (this.chunkCount > 0) this.flushChunk();
      const f = this.frame;
      f.reset();
      f.arrayHeader(5);
      f.uint(FRAME_FOOTER);
      f.uint(this.chunks);
      f.uint(this.records);
      f.uint(this.lastTime);
      f.bin(this.digest);
      this.emit(f.bytes());
      this.sink.commit();
    } catch (e) {
      this.fail();
      throw e;
    }
    this.state = 'finished';
    for (const u of this.unsubscribe) u();
    this.summaryValue = { records: this.records, chunks: this.chunks, bytes: this.bytes, endTime: this.lastTime, digest: this.digest.toString('hex'), timeline: { slices: this.slices, counters: this.counters } };
    return this.summaryValue;
  }

  /** Gives up: removes the partial output. */
  fail(): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    for (const u of this.unsubscribe) u();
    this.sink.abort();
  }

  private readonly onEvent = (r: EventRecord): void => {
    if (this.state !== 'open') return;
    try {
      this.writeRecord(r);
    } catch (e) {
      this.fail();
      throw e;
    }
  };

  private timelineEntry(write: () => void): void {
    if (this.state !== 'open') throw new SimulationError(`timeline reported to a trace that is ${this.state}`);
    try {
      write();
    } catch (e) {
      this.fail();
      throw e;
    }
  }

  private timelineName(name: string): number {
    return this.timelineIds.get(name) ?? this.define(this.timelineIds, DEF_TIMELINE, name);
  }

  /** A slice's args: a map with sorted keys (interned like payload keys), values strings or numbers. */
  private writeArgs(args: TimelineArgs, name: string): void {
    const w = this.timelineBuf;
    const keys = Object.keys(args).filter((k) => args[k] !== undefined).sort(cmp);
    w.mapHeader(keys.length);
    for (const k of keys) {
      w.uint(this.keyIds.get(k) ?? this.define(this.keyIds, DEF_KEY, k));
      const v = args[k];
      if (typeof v === 'string') w.str(v);
      else if (typeof v === 'number' && Number.isSafeInteger(v)) w.int(v === 0 ? 0 : v);
      else if (typeof v === 'number') w.number(v, `timeline slice ${name} argument ${k}`);
      else throw new ConfigError(`timeline slice ${name}: argument ${k} must be a number or a string, got ${typeof v}`);
    }
  }

  private writeRecord(r: EventRecord): void {
    if (this.openActions.length > 0 || this.defs.pos > 0 || this.timelineBuf.pos > 0) this.closeOpen();
    const w = this.chunk;
    if (this.chunkCount >= this.chunkRecords || w.pos >= CHUNK_BYTE_TARGET) this.flushChunk();
    const raw = r.payload;
    const p = this.mapPayload ? this.mapPayload(raw) : raw;
    let kind: string;
    let data: unknown = p;
    let declared = false;
    if (typeof p === 'object' && p !== null && typeof (p as { kind?: unknown }).kind === 'string') {
      kind = (p as { kind: string }).kind;
      declared = true;
    } else if (r.source !== undefined) kind = raw === undefined ? KIND_RETRY : KIND_DELIVER;
    else kind = raw === undefined && r.priority === Priority.CLOCK ? KIND_CLOCK : KIND_EVENT;
    let kindId: number;
    if (kind === this.lastKind) kindId = this.lastKindId;
    else {
      kindId = this.kindIds.get(kind) ?? this.define(this.kindIds, DEF_KIND, kind);
      this.lastKind = kind;
      this.lastKindId = kindId;
    }

    // The fixed fields, written in place: this is the per-event cost of recording.
    if (w.pos + 64 > w.buf.length) w.ensure(64);
    const b = w.buf;
    let pos = w.pos;
    this.openAt = pos;
    b[pos++] = 0x97; // fixarray(7); becomes 0x98 when action counts follow
    // Most fields are positive fixints (one byte): that case is inlined.
    const dSeq = r.seq - this.lastSeq;
    if (dSeq >= 0 && dSeq < 0x80) b[pos++] = dSeq;
    else pos = putInt(b, pos, dSeq);
    const dTime = r.time - this.lastTime;
    if (dTime < 0x80) b[pos++] = dTime;
    else pos = putUint(b, pos, dTime);
    if (r.priority < 0x80) b[pos++] = r.priority;
    else pos = putUint(b, pos, r.priority);
    if (kindId < 0x80) b[pos++] = kindId;
    else pos = putUint(b, pos, kindId);
    if (r.source === undefined) b[pos++] = 0xc0;
    else pos = putUint(b, pos, this.portId(r.source));
    if (r.destination === undefined) b[pos++] = 0xc0;
    else pos = putUint(b, pos, this.portId(r.destination));
    if (data === undefined) b[pos++] = 0xc0;
    else if (typeof data === 'number' && Number.isSafeInteger(data)) pos = putInt(b, pos, data === 0 ? 0 : data);
    w.pos = pos;
    if (data === undefined || typeof data === 'number') {
      if (typeof data === 'number' && !Number.isSafeInteger(data)) this.writeNumber(data, r.seq);
    } else if (declared || (typeof data === 'object' && data !== null && 'actions' in data)) this.writeDeclared(data as Record<string, unknown>, r.seq);
    else this.writeData(data, 0, r.seq);
    this.lastSeq = r.seq;
    this.lastTime = r.time;
    this.records++;
    this.chunkCount++;
  }

  /** A payload following the convention: `kind` and `actions` are taken out, the rest is data. */
  private writeDeclared(p: Record<string, unknown>, seq: number): void {
    const actions = p.actions;
    if (actions !== undefined) {
      if (!Array.isArray(actions)) throw new ConfigError(`payload of event ${seq}: "actions" must be an array of [component, action, bits, count]`);
      for (const a of actions) {
        if (!Array.isArray(a) || a.length !== 4) throw new ConfigError(`payload of event ${seq}: each action must be [component, action, bits, count]`);
        this.pushAction(a[0], a[1], a[2], a[3], `payload of event ${seq}`);
      }
    }
    this.writeObject(p, 1, seq, true);
  }

  private writeData(v: unknown, depth: number, seq: number): void {
    const w = this.chunk;
    switch (typeof v) {
      case 'number':
        return this.writeNumber(v, seq);
      case 'string':
        return w.str(v);
      case 'boolean':
        return w.bool(v);
      case 'object': {
        if (v === null) return w.nil();
        if (depth >= MAX_DATA_DEPTH) throw new ConfigError(`payload of event ${seq} is nested deeper than ${MAX_DATA_DEPTH} levels (or has a cycle)`);
        if (v instanceof Uint8Array) return w.bin(v);
        if (Array.isArray(v) || ArrayBuffer.isView(v)) {
          const a = v as ArrayLike<unknown>;
          w.arrayHeader(a.length);
          for (let i = 0; i < a.length; i++) {
            if (a[i] === undefined) throw new ConfigError(`payload of event ${seq}: undefined inside an array cannot be written to a trace`);
            this.writeData(a[i], depth + 1, seq);
          }
          return;
        }
        return this.writeObject(v as Record<string, unknown>, depth + 1, seq, false);
      }
      case 'undefined':
        return w.nil();
      default:
        throw new ConfigError(`payload of event ${seq}: a ${typeof v} cannot be written to a trace`);
    }
  }

  private writeNumber(x: number, seq: number): void {
    if (Number.isSafeInteger(x)) this.chunk.int(x === 0 ? 0 : x);
    else if (Number.isFinite(x)) this.chunk.float64(x);
    else this.chunk.number(x, `payload of event ${seq}`);
  }

  /**
   * A map with sorted keys, each key written as its interned id; properties holding
   * undefined are left out (as JSON does), and so are `kind` and `actions` at the top of a
   * payload that follows the convention (all of it empty: nil).
   */
  private writeObject(o: Record<string, unknown>, depth: number, seq: number, top: boolean): void {
    const keys = Object.keys(o);
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (o[k] === undefined || (top && (k === 'kind' || k === 'actions'))) continue;
      // Insertion sort in place (payloads have few keys): code-unit order.
      let j = n++;
      while (j > 0 && keys[j - 1]! > k) {
        keys[j] = keys[j - 1]!;
        j--;
      }
      keys[j] = k;
    }
    const w = this.chunk;
    if (top && n === 0) return w.nil();
    w.mapHeader(n);
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      w.uint(this.keyIds.get(k) ?? this.define(this.keyIds, DEF_KEY, k));
      this.writeData(o[k], depth, seq);
    }
  }

  private pushAction(component: unknown, action: unknown, bits: unknown, count: unknown, where: string): void {
    if (typeof component !== 'string' || typeof action !== 'string') throw new ConfigError(`${where}: an action needs a component class and an action name (strings)`);
    if (typeof bits !== 'number' || !Number.isSafeInteger(bits) || bits < 0) throw new ConfigError(`${where}: bits of ${component}.${action} must be a non-negative integer, got ${String(bits)}`);
    if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) throw new ConfigError(`${where}: count of ${component}.${action} must be a finite number >= 0, got ${String(count)}`);
    const key = `${component}\u0000${action}\u0000${bits}`;
    let id = this.actionIds.get(key);
    if (id === undefined) {
      id = this.actionIds.size;
      this.actionIds.set(key, id);
      const d = this.defs;
      d.arrayHeader(5);
      d.str(DEF_ACTION);
      d.uint(id);
      d.str(component);
      d.str(action);
      d.uint(bits);
    }
    this.openActions.push(id, count === 0 ? 0 : count);
  }

  /** Interns a name; its definition entry goes before the record that first uses it. */
  private define(table: Map<string, number>, tag: string, name: string): number {
    const id = table.size;
    table.set(name, id);
    const d = this.defs;
    d.arrayHeader(3);
    d.str(tag);
    d.uint(id);
    d.str(name);
    return id;
  }

  /**
   * Ends the open record: appends its action counts, moves new definitions before it, and
   * appends the timeline entries reported while it was open.
   */
  private closeOpen(): void {
    const at = this.openAt;
    const w = this.chunk;
    if (at < 0) {
      // Nothing open (reported before the first event): definitions, then the entries.
      if (this.defs.pos > 0) {
        w.ensure(this.defs.pos);
        w.buf.set(this.defs.bytes(), w.pos);
        w.pos += this.defs.pos;
        this.defs.reset();
      }
      this.appendTimeline();
      return;
    }
    this.openAt = -1;
    if (this.openActions.length > 0) {
      w.buf[at] = 0x98;
      w.arrayHeader(this.openActions.length);
      for (let i = 0; i < this.openActions.length; i += 2) {
        w.uint(this.openActions[i]!);
        w.number(this.openActions[i + 1]!, 'action count');
      }
      this.openActions.length = 0;
    }
    const d = this.defs;
    if (d.pos > 0) {
      const record = Buffer.from(w.buf.subarray(at, w.pos));
      w.pos = at;
      w.ensure(d.pos + record.length);
      w.buf.set(d.bytes(), w.pos);
      w.pos += d.pos;
      w.buf.set(record, w.pos);
      w.pos += record.length;
      d.reset();
    }
    this.appendTimeline();
  }

  private appendTimeline(): void {
    const t = this.timelineBuf;
    if (t.pos === 0) return;
    const w = this.chunk;
    w.ensure(t.pos);
    w.buf.set(t.bytes(), w.pos);
    w.pos += t.pos;
    t.reset();
  }

  private flushChunk(): void {
    const body = this.chunk.bytes();
    this.digest = createHash('sha256').update(this.digest).update(body).digest();
    const f = this.frame;
    f.reset();
    f.arrayHeader(8);
    f.uint(FRAME_CHUNK);
    f.uint(this.chunks);
    f.uint(this.chunkFirst);
    f.uint(this.chunkCount);
    f.int(this.baseSeq);
    f.uint(this.baseTime);
    f.bin(this.digest);
    f.byte(0xc6);
    f.ensure(4);
    f.buf.writeUInt32BE(body.length, f.pos);
    f.pos += 4;
    this.emit(f.bytes());
    this.emit(body);
    this.chunks++;
    this.chunkFirst = this.records;
    this.chunkCount = 0;
    this.baseSeq = this.lastSeq;
    this.baseTime = this.lastTime;
    this.chunk.reset();
  }

  private emit(bytes: Uint8Array): void {
    this.sink.write(bytes);
    this.bytes += bytes.length;
  }

  private portId(p: Port<any>): number {
    // The kernel numbers ports in the order of the header's table: use its number when it
    // is the same port (no map lookup on the per-record path).
    if (this.portList[p.index] === p) return p.index;
    const id = this.portIds.get(p);
    if (id === undefined) throw new SimulationError(`port ${p.fullName} is not in the trace's port table (was it created after the trace was attached?)`);
    return id;
  }

  private headerValue(opts: TraceWriterOptions) {
    const components: Component<any>[] = this.sim.allComponents();
    const compEntries: ComponentEntry[] = components.map((c) => ({ name: c.name, type: c.info.type, version: c.info.version }));
    const ports: PortEntry[] = [];
    const links = new Map<string, LinkEntry>();
    components.forEach((c, ci) => {
      for (const name of Object.keys(c.info.ports).sort(cmp)) {
        this.portIds.set(c.port(name), ports.length);
        this.portList.push(c.port(name));
        ports.push({ name: `${c.name}.${name}`, component: ci });
      }
    });
    for (const c of components) {
      for (const name of Object.keys(c.info.ports)) {
        const link = c.port(name).link;
        if (link && !links.has(link.name)) links.set(link.name, { name: link.name, a: this.portIds.get(link.a)!, b: this.portIds.get(link.b)!, latency: link.latency });
      }
    }
    return {
      simulator: SIMULATOR_VERSION,
      runKind: opts.runKind,
      config: opts.config ?? null,
      seed: this.sim.seed,
      plugins: [...opts.plugins].sort(cmp),
      components: compEntries.map((c) => [c.name, c.type, c.version]),
      ports: ports.map((p) => [p.name, p.component]),
      links: [...links.values()].sort((x, y) => cmp(x.name, y.name)).map((l) => [l.name, l.a, l.b, l.latency]),
      chunkRecords: this.chunkRecords,
    };
  }
}

function checkTick(t: number, what: string): number {
  if (!Number.isSafeInteger(t) || t < 0) throw new ConfigError(`timeline ${what} must be a tick (an integer >= 0), got ${String(t)}`);
  return t;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
