export { FORMAT_NAME, FORMAT_VERSION, DEFAULT_CHUNK_RECORDS, KIND_EVENT, KIND_CLOCK, KIND_DELIVER, KIND_RETRY, type TraceHeader, type TraceRecord, type TraceFooter, type ActionCount, type ComponentEntry, type PortEntry, type LinkEntry } from './format.js';
export { TraceFormatError, ByteWriter, StrictDecoder, DEFAULT_LIMITS, type DecodeLimits } from './msgpack.js';
export { ENCODER_OPTIONS, canonicalize, encodeCanonical, decodeRestricted } from './canonical.js';
export { AtomicFileSink, MemorySink, CountingSink, writeFileAtomic, type ByteSink } from './sink.js';
export { TraceWriter, type TraceWriterOptions, type TraceSummary } from './writer.js';
export { TraceReader, FileSource, BufferSource, type ByteSource, type TraceChunk } from './reader.js';
export { inspectTrace, type TraceInfo } from './inspect.js';
export { exportPerfetto, exportPerfettoToFile, exportTimelinePerfetto, countTimelinePerfetto, type PerfettoTimelineCounts } from './perfetto.js';
export {
  RunKindRegistry,
  boundedBufferRunKind,
  recordRun,
  recordRunToFile,
  checkReplayable,
  verifyTrace,
  compareTraces,
  recostTrace,
  NO_ACTION_RECORDER,
  type ReplayableRunKind,
  type ActionRecorder,
  type BoundedBufferConfig,
  type RecordOptions,
  type RecordedRun,
  type VerifyResult,
  type Divergence,
} from './replay.js';
export {
  ActivityWriter,
  ActivityTrace,
  readActivityTrace,
  parseActivityTrace,
  bitmapOf,
  blockCounts,
  nonzeros,
  ACTIVITY_FORMAT_NAME,
  ACTIVITY_FORMAT_VERSION,
  ACTIVITY_STREAMS,
  type ActivityHeader,
  type ActivityLayer,
  type ActivityData,
  type ActivityStep,
  type ActivityStream,
} from './activity.js';
export { macArrayRunKind, MacArray, macArrayInfo, type MacArrayConfig } from './examples.js';
