/** Constants and types of the simulation-trace format (FORMAT.md describes the byte layout). */

export const FORMAT_NAME = 'sata-trace';
export const FORMAT_VERSION = 2;
/** Versions this reader reads: 1 is 2 without timeline entries. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** Top-level frame types after the header. */
export const FRAME_CHUNK = 1;
export const FRAME_FOOTER = 2;

/** Definition entries inside a chunk (first element of a 3- or 5-element array). */
export const DEF_KIND = 'k';
export const DEF_KEY = 'f';
export const DEF_ACTION = 'a';
/** A name on the timeline (a track or a slice name). */
export const DEF_TIMELINE = 't';

/** Timeline entries inside a chunk: `["s", track, start, end, name, args]` and `["c", track, tick, value]`. */
export const ENTRY_SLICE = 's';
export const ENTRY_COUNTER = 'c';

/** Bytes of the chained SHA-256 digest. */
export const DIGEST_BYTES = 32;

export const DEFAULT_CHUNK_RECORDS = 4096;
/** A chunk is also closed once its records reach this many bytes (large payloads). */
export const CHUNK_BYTE_TARGET = 1 << 20;

/** What a reader accepts at most, whatever a file claims. */
export const MAX_HEADER_BYTES = 64 << 20;
export const MAX_CHUNK_BYTES = 256 << 20;
export const MAX_CHUNK_RECORDS = 1 << 20;

/** Kinds the writer gives events whose payload declares none. */
export const KIND_EVENT = 'event';
export const KIND_CLOCK = 'clock';
export const KIND_DELIVER = 'deliver';
export const KIND_RETRY = 'retry';

export interface ComponentEntry {
  readonly name: string;
  readonly type: string;
  readonly version: string;
}

export interface PortEntry {
  /** `component.port` */
  readonly name: string;
  /** Index into `components`. */
  readonly component: number;
}

export interface LinkEntry {
  readonly name: string;
  /** Indices into `ports`. */
  readonly a: number;
  readonly b: number;
  readonly latency: number;
}

/** Everything a trace header holds. */
export interface TraceHeader {
  readonly format: typeof FORMAT_NAME;
  readonly version: number;
  /** `SIMULATOR_VERSION` of the simulator that wrote it. */
  readonly simulator: string;
  /** The replayable run kind that produced it (the key into a RunKindRegistry). */
  readonly runKind: string;
  /** The resolved configuration, canonical. */
  readonly config: unknown;
  readonly seed: number;
  /** Sorted `name@version` of every registered plugin. */
  readonly plugins: readonly string[];
  readonly components: readonly ComponentEntry[];
  readonly ports: readonly PortEntry[];
  readonly links: readonly LinkEntry[];
  /** Records per chunk (the digest interval). */
  readonly chunkRecords: number;
}

/** (component class, action, bits, count): one entry of a record's action counts; see ActionKey in @sata/plugin-api. */
export type ActionCount = readonly [component: string, action: string, bits: number, count: number];

/** One decoded event record. */
export interface TraceRecord {
  /** Position in the trace, from 0. */
  readonly index: number;
  /** The kernel's sequence number of the event (its scheduling order). */
  readonly seq: number;
  readonly time: number;
  readonly priority: number;
  readonly kind: string;
  /** Port ids (indices into the header's `ports`), or null. */
  readonly source: number | null;
  readonly destination: number | null;
  /** The canonical payload without `kind` and `actions`; null when there is none. */
  readonly data: unknown;
  readonly actions: readonly ActionCount[];
}

export interface TraceFooter {
  readonly chunks: number;
  readonly records: number;
  /** Time of the last record (0 when there is none). */
  readonly endTime: number;
  readonly digest: string;
}
