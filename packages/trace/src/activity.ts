/**
 * Activity traces (ACTIVITY-FORMAT.md): per layer and time step, which neurons spiked in
 * the forward pass and which gradients were nonzero in the backward pass, as bitmaps or as
 * nonzero counts per block. Written by the functional SNN model or by outside tools (a
 * PyTorch run through hooks); the hardware model reads the counts that drive its folds.
 */
import { ConfigError, readInputFile } from '@sata/core';
import { canonicalize, tracePackr } from './canonical.js';
import { DEFAULT_LIMITS, StrictDecoder, TraceFormatError, describe } from './msgpack.js';
import { AtomicFileSink, type ByteSink } from './sink.js';

export const ACTIVITY_FORMAT_NAME = 'sata-activity';
export const ACTIVITY_FORMAT_VERSION = 1;
/** Reading loads the file; larger activity traces are refused. */
export const MAX_ACTIVITY_BYTES = 1 << 30;

export type ActivityStream = 'spikes' | 'grads';
export const ACTIVITY_STREAMS: readonly ActivityStream[] = ['spikes', 'grads'];

export interface ActivityLayer {
  readonly name: string;
  /** Values in the layer's flattened output (batch included), C order. */
  readonly neurons: number;
  /** Neurons per block for `counts` (the fold-relevant block of the hardware mapping). */
  readonly block: number;
}

export interface ActivityHeader {
  readonly network: string;
  readonly timeSteps: number;
  readonly batch: number;
  readonly layers: readonly ActivityLayer[];
}

/** One layer at one time step of one stream, as given: a bitmap or per-block nonzero counts. */
export type ActivityData = { readonly bitmap: Uint8Array } | { readonly counts: Uint32Array };

export interface ActivityStep {
  readonly layer: number;
  readonly step: number;
  readonly stream: ActivityStream;
  readonly data: ActivityData;
}

/** The bitmap of nonzero entries of `values` (bit i = byte i>>3, bit i&7, least significant first). */
export function bitmapOf(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** Nonzero count per block of `block` neurons, from either encoding. */
export function blockCounts(data: ActivityData, layer: ActivityLayer): Uint32Array {
  if ('counts' in data) return data.counts;
  const out = new Uint32Array(Math.ceil(layer.neurons / layer.block));
  for (let i = 0; i < layer.neurons; i++) if (data.bitmap[i >> 3]! & (1 << (i & 7))) out[Math.floor(i / layer.block)]!++;
  return out;
}

/** Total nonzeros. */
export function nonzeros(data: ActivityData, layer: ActivityLayer): number {
  let n = 0;
  for (const c of blockCounts(data, layer)) n += c;
  return n;
}

/** Writes an activity trace; steps can come in any order, each (layer, step, stream) once. */
export class ActivityWriter {
  private readonly seen = new Set<string>();
  private records = 0;
  private closed = false;

  constructor(
    private readonly sink: ByteSink,
    readonly header: ActivityHeader,
  ) {
    try {
      validateHeader(header, (m) => new ConfigError(`activity header: ${m}`));
      const h = canonicalize({ network: header.network, timeSteps: header.timeSteps, batch: header.batch, layers: header.layers.map((l) => [l.name, l.neurons, l.block]) }, 'activity header');
      this.sink.write(tracePackr().pack([ACTIVITY_FORMAT_NAME, ACTIVITY_FORMAT_VERSION, h]));
    } catch (e) {
      sink.abort();
      throw e;
    }
  }

  static toFile(path: string, header: ActivityHeader): ActivityWriter {
    return new ActivityWriter(new AtomicFileSink(path), header);
  }

  write(layer: number, step: number, stream: ActivityStream, data: ActivityData): void {
    try {
      const err = (m: string) => new ConfigError(`activity step (layer ${layer}, step ${step}, ${stream}): ${m}`);
      if (this.closed) throw err('the writer is closed');
      checkStep(this.header, layer, step, stream, data, this.seen, err);
      const payload = 'bitmap' in data ? ['bitmap', Buffer.from(data.bitmap.buffer, data.bitmap.byteOffset, data.bitmap.length)] : ['counts', Array.from(data.counts)];
      this.sink.write(tracePackr().pack([layer, step, stream, ...payload]));
      this.records++;
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.sink.write(tracePackr().pack(['end', this.records]));
    this.closed = true;
    this.sink.commit();
  }

  abort(): void {
    this.closed = true;
    this.sink.abort();
  }
}

/** A validated activity trace, read whole (they are small next to simulation traces). */
export class ActivityTrace {
  private readonly byKey = new Map<string, ActivityStep>();
  constructor(
    readonly header: ActivityHeader,
    readonly steps: readonly ActivityStep[],
  ) {
    for (const s of steps) this.byKey.set(key(s.layer, s.step, s.stream), s);
  }

  get(layer: number, step: number, stream: ActivityStream): ActivityStep | undefined {
    return this.byKey.get(key(layer, step, stream));
  }

  /** (layer, step, stream) triples with no record, for streams that have any record at all. */
  missing(): Array<[number, number, ActivityStream]> {
    const out: Array<[number, number, ActivityStream]> = [];
    for (const stream of ACTIVITY_STREAMS) {
      if (!this.steps.some((s) => s.stream === stream)) continue;
      for (let l = 0; l < this.header.layers.length; l++) for (let t = 0; t < this.header.timeSteps; t++) if (!this.byKey.has(key(l, t, stream))) out.push([l, t, stream]);
    }
    return out;
  }
}

export function readActivityTrace(path: string): ActivityTrace {
  return parseActivityTrace(readInputFile(path, 'activity trace', MAX_ACTIVITY_BYTES), path);
}

/** Parses and validates an activity trace; errors name the byte offset. */
export function parseActivityTrace(bytes: Uint8Array, name = 'activity trace'): ActivityTrace {
  const d: StrictDecoder = new StrictDecoder(bytes, 0, bytes.length, 0, DEFAULT_LIMITS, name);
  if (bytes.length === 0) d.fail('the file is empty');
  const top = d.value();
  if (!Array.isArray(top) || top.length !== 3 || top[0] !== ACTIVITY_FORMAT_NAME) d.fail(`not an activity trace: it must start with ["${ACTIVITY_FORMAT_NAME}", version, header]`, 0);
  if (top[1] !== ACTIVITY_FORMAT_VERSION) d.fail(`activity format version ${describe(top[1])} is not supported (this reader reads ${ACTIVITY_FORMAT_VERSION})`, 0);
  const header = headerFrom(top[2], (m) => new TraceFormatError(`${name}: byte offset 0: header ${m}`, 0));
  const steps: ActivityStep[] = [];
  const seen = new Set<string>();
  for (;;) {
    const at = d.pos;
    if (d.done) d.fail(`the file ends without its ["end", count] record after ${steps.length} steps (truncated)`);
    const v = d.value();
    const err = (m: string) => new TraceFormatError(`${name}: byte offset ${at} (step record ${steps.length}): ${m}`, at, steps.length);
    if (!Array.isArray(v)) throw err(`expected a step record (an array), got ${describe(v)}`);
    if (v[0] === 'end') {
      if (v.length !== 2 || v[1] !== steps.length) throw err(`end record says ${describe(v[1])} steps, the file has ${steps.length}`);
      if (!d.done) d.fail(`${bytes.length - d.pos} unexpected bytes after the end record`);
      return new ActivityTrace(header, steps);
    }
    if (v.length !== 5) throw err(`a step record is [layer, step, stream, encoding, data], got ${v.length} fields`);
    const [layer, step, stream, encoding, raw] = v as [unknown, unknown, unknown, unknown, unknown];
    if (typeof layer !== 'number' || typeof step !== 'number') throw err('layer and step must be integers');
    if (stream !== 'spikes' && stream !== 'grads') throw err(`stream must be "spikes" or "grads", got ${describe(stream)}`);
    let data: ActivityData;
    if (encoding === 'bitmap') {
      if (!(raw instanceof Uint8Array)) throw err('a bitmap must be binary data');
      data = { bitmap: raw };
    } else if (encoding === 'counts') {
      if (!Array.isArray(raw) || !raw.every((c) => typeof c === 'number' && Number.isSafeInteger(c) && c >= 0 && c <= 0xffffffff)) throw err('counts must be an array of non-negative integers');
      data = { counts: Uint32Array.from(raw as number[]) };
    } else throw err(`encoding must be "bitmap" or "counts", got ${describe(encoding)}`);
    checkStep(header, layer, step, stream, data, seen, err);
    steps.push({ layer, step, stream, data });
  }
}

function key(layer: number, step: number, stream: string): string {
  return `${layer}/${step}/${stream}`;
}

function headerFrom(v: unknown, err: (m: string) => Error): ActivityHeader {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw err('must be a map');
  const h = v as Record<string, unknown>;
  if (!Array.isArray(h.layers)) throw err('"layers" must be an array of [name, neurons, block]');
  const layers = h.layers.map((l, i) => {
    if (!Array.isArray(l) || l.length !== 3) throw err(`layers[${i}] must be [name, neurons, block]`);
    return { name: l[0] as string, neurons: l[1] as number, block: l[2] as number };
  });
  const header = { network: h.network as string, timeSteps: h.timeSteps as number, batch: h.batch as number, layers };
  validateHeader(header, err);
  return header;
}

function validateHeader(h: ActivityHeader, err: (m: string) => Error): void {
  const posInt = (x: unknown, what: string, max = 2 ** 32): void => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1 || x > max) throw err(`${what} must be an integer in 1..${max}, got ${describe(x)}`);
  };
  if (typeof h.network !== 'string') throw err('"network" must be a string');
  posInt(h.timeSteps, '"timeSteps"', 1 << 20);
  posInt(h.batch, '"batch"', 1 << 24);
  if (!Array.isArray(h.layers) || h.layers.length === 0) throw err('"layers" must list at least one layer');
  h.layers.forEach((l, i) => {
    if (typeof l.name !== 'string') throw err(`layers[${i}] name must be a string`);
    posInt(l.neurons, `layers[${i}] neurons`);
    posInt(l.block, `layers[${i}] block`);
  });
}

function checkStep(h: ActivityHeader, layer: number, step: number, stream: ActivityStream, data: ActivityData, seen: Set<string>, err: (m: string) => Error): void {
  if (!Number.isSafeInteger(layer) || layer < 0 || layer >= h.layers.length) throw err(`layer ${layer} is not among the ${h.layers.length} layers`);
  if (!Number.isSafeInteger(step) || step < 0 || step >= h.timeSteps) throw err(`step ${step} is outside 0..${h.timeSteps - 1}`);
  const k = key(layer, step, stream);
  if (seen.has(k)) throw err('recorded twice');
  seen.add(k);
  const l = h.layers[layer]!;
  if ('bitmap' in data) {
    const bytes = Math.ceil(l.neurons / 8);
    if (data.bitmap.length !== bytes) throw err(`bitmap of layer ${l.name} must have ${bytes} bytes (${l.neurons} neurons), got ${data.bitmap.length}`);
    const pad = l.neurons % 8;
    if (pad && data.bitmap[bytes - 1]! >> pad) throw err('bits past the last neuron must be 0');
  } else {
    const blocks = Math.ceil(l.neurons / l.block);
    if (data.counts.length !== blocks) throw err(`layer ${l.name} has ${blocks} blocks of ${l.block}, got ${data.counts.length} counts`);
    for (let j = 0; j < blocks; j++) {
      const size = Math.min(l.block, l.neurons - j * l.block);
      if (data.counts[j]! > size) throw err(`block ${j} has ${size} neurons but a count of ${data.counts[j]}`);
    }
  }
}
