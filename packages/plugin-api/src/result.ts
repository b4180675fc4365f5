/**
 * The JSON contract of simulation results: what `sata simulate --json` and
 * `sata compare --json` print, what `sata sweep` collects per point, and what
 * `sata report` draws. Producers fill every field; consumers may rely on them.
 */

export const STAGES = ['FP', 'BP', 'WG', 'WU'] as const;
export type Stage = (typeof STAGES)[number];

/** Where a figure's sparsity came from (hardware-model.md section 8). */
export type SparsitySource = 'statistical' | 'measured' | 'replayed' | 'dense';

export interface LayerEnergy {
  readonly index: number;
  readonly name: string;
  readonly kind: string;
  readonly totalPJ: number;
  readonly computePJ: number;
  readonly memoryPJ: number;
  readonly byStage: Readonly<Record<Stage, number>>;
}

export interface TrainingEnergy {
  readonly total: number;
  /** PE operations, LIF and gradient units. */
  readonly compute: number;
  /** Scratchpads, global buffers, DRAM (dynamic). */
  readonly memory: number;
  /** Static energy of the memories over the run's cycles. */
  readonly leakage: number;
  /**
   * Leakage while the iteration waits, after the last step's work, for the writes still
   * posted to DRAM: in no stage or layer (the stages, or the layers, and the drain add up to
   * the total). Absent in results written before it was reported on its own.
   */
  readonly drain?: number;
  readonly byStage: Readonly<Record<Stage, number>>;
  readonly byLayer: readonly LayerEnergy[];
  /** By component class (`pe`, `globalBuffer.weights`, `dram`, ...). */
  readonly byComponent: Readonly<Record<string, number>>;
  /** By `component.action@bits`. */
  readonly byAction: Readonly<Record<string, number>>;
}

/** Bits moved between two memory levels for one tensor class in one stage. */
export interface PlacementFlow {
  readonly tensor: string;
  readonly stage: Stage;
  readonly from: string;
  readonly to: string;
  readonly bits: number;
}

export interface OpCount {
  readonly active: number;
  readonly gated: number;
}

/** Cycles and energy of the steps of time step t (1..T); t = 0 holds what belongs to no single step (time-batched GEMMs, the weight update). */
export interface TimestepFigures {
  readonly t: number;
  readonly cycles: number;
  readonly energyPJ: number;
}

/** Nonzero fractions of one layer's tensors at one time step (snn-model.md's three sparsities, as densities). */
export interface StepDensities {
  /** The layer's input (spikes, or analog values for the first layer under direct coding). */
  readonly input: number;
  readonly spike: number;
  readonly firingGradient: number;
  readonly membraneGradient: number;
}

export interface LayerDensities {
  readonly layer: string;
  readonly kind: string;
  /** One entry per time step (the ANN: one). */
  readonly perStep: readonly StepDensities[];
}

/** The functional-model run behind measured sparsity. */
export interface MeasurementSummary {
  readonly dataset: string;
  /** `uci-digits` (real data) or `synthetic`. */
  readonly dataSource: string;
  readonly description: string;
  readonly samples: number;
  readonly trainEpochs: number;
  readonly testAccuracy: number | null;
  readonly loss: number;
}

/** One schedule step on a timeline: where it belongs and what it cost. */
export interface TimelineStep {
  readonly label: string;
  /** The layer (its name), stage and 0-based time step (null: all steps at once). */
  readonly layer: string;
  readonly stage: Stage;
  readonly t: number | null;
  readonly startCycle: number;
  readonly endCycle: number;
  /** The step's energy and its computation, data-movement and leakage parts. */
  readonly energyPJ: number;
  readonly computePJ: number;
  readonly memoryPJ: number;
  readonly leakagePJ: number;
}

/** A piece of work on a track from `start` to `end` (cycles); `args.step` indexes `steps`, `name` is the step's label or `stall` / `drain`. */
export interface TimelineSliceEntry {
  readonly track: string;
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly args: Readonly<Record<string, number | string>>;
}

/** A global-buffer partition's occupancy (bits of tiles and pinned tensors) from `tick` on. */
export interface TimelineCounterEntry {
  readonly track: string;
  readonly tick: number;
  readonly value: number;
}

/** What a track is: the schedule (controller), the PE array, DRAM, a vector unit, a global-buffer partition, or another component. */
export type TimelineRole = 'schedule' | 'array' | 'dram' | 'unit' | 'buffer' | 'other';
export const TIMELINE_ROLES: readonly TimelineRole[] = ['schedule', 'array', 'dram', 'unit', 'buffer', 'other'];

/**
 * Where the time of an iteration goes (`sata simulate --timeline`, and in every
 * `simulate` trace): per component the work of every step, the waits for DRAM, the
 * partitions' occupancy. Times in cycles at `clockMHz`.
 */
export interface Timeline {
  readonly clockMHz: number;
  readonly cycles: number;
  /** Tracks (component names) in display order. */
  readonly tracks: readonly { readonly name: string; readonly role: TimelineRole }[];
  readonly steps: readonly TimelineStep[];
  readonly slices: readonly TimelineSliceEntry[];
  readonly counters: readonly TimelineCounterEntry[];
}

/** One training iteration of one network on one architecture. */
export interface TrainingResult {
  readonly kind: 'training-iteration';
  /** The architecture: a registered spec's name (sata, eyeriss, ...) or a spec file. */
  readonly arch: string;
  /** What it trained: the SNN with BPTT, or the network as an ANN (absent in documents of older versions: eyeriss was the ANN). */
  readonly workload?: 'snn' | 'ann';
  readonly network: string;
  /** The fully resolved configuration (every default filled in). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly sparsitySource: SparsitySource;
  /** Whether zero operands gated work (false: sparsity-unaware). */
  readonly sparsityAware: boolean;
  readonly cycles: number;
  readonly computeCycles: number;
  readonly stallCycles: number;
  readonly seconds: number;
  readonly energyPJ: TrainingEnergy;
  readonly timesteps: readonly TimestepFigures[];
  readonly placement: readonly PlacementFlow[];
  readonly ops: Readonly<Record<string, OpCount>>;
  /** Energy model name@version and the source of each figure used. */
  readonly energyModel: { readonly name: string; readonly version: string; readonly sources: Readonly<Record<string, string>> };
  readonly events: number;
  /** The densities that drove the counts, per layer and time step (never averaged away). */
  readonly densities: readonly LayerDensities[];
  /** Counted actions the energy model has no figure for (priced at zero), as `component.action@bits`. */
  readonly unpriced: readonly string[];
  /** Present when the sparsity was measured. */
  readonly measurement?: MeasurementSummary;
  /** Present when asked for (`--timeline`). */
  readonly timeline?: Timeline;
  /** The SNN's training algorithm (`bptt`, `tbptt:2`, ...); the ANN's is its one backward pass. */
  readonly algorithm?: string;
  /**
   * Training state kept between steps (tensors written for a later reader, until their last
   * read): its peak over the iteration and over each stage's steps, on chip (pinned in the
   * global buffers) and in DRAM (kept tensors that did not fit).
   */
  readonly keptState?: KeptState;
}

export interface KeptBytes {
  readonly onChipBytes: number;
  readonly dramBytes: number;
  /** Kept tensors other than the weight gradients (which every algorithm accumulates until WU): what the algorithm keeps. */
  readonly stateBytes: number;
}

export interface KeptState {
  /** Peaks over the iteration's steps (on chip, DRAM, the state without weight gradients, and everything at one step). */
  readonly peak: KeptBytes & { readonly totalBytes: number };
  readonly byStage: Readonly<Record<Stage, KeptBytes>>;
}

/** `sata compare --algorithms`: one SNN training iteration per training algorithm, beside the ANN. */
export interface AlgorithmComparisonResult {
  readonly kind: 'algorithm-comparison';
  readonly network: string;
  readonly timesteps: number;
  readonly ann: TrainingResult;
  readonly runs: readonly { readonly algorithm: string; readonly result: TrainingResult }[];
}

export interface HeadlineFigure {
  readonly value: number;
  readonly definition: string;
  /** The paper's figure, for comparison only. */
  readonly paper: number;
}

/** `sata compare`: SNN on SATA against the ANN on the Eyeriss-like baseline, sparsity-aware against unaware. */
export interface ComparisonResult {
  readonly kind: 'comparison';
  readonly sparsityGain: HeadlineFigure & { readonly aware: TrainingResult; readonly unaware: TrainingResult };
  readonly snnOverAnn: HeadlineFigure & { readonly snn: TrainingResult; readonly ann: TrainingResult };
}

export interface SweepPoint {
  readonly index: number;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly result: TrainingResult | ComparisonResult;
}

/** `sata sweep --json`. */
export interface SweepResult {
  readonly kind: 'sweep';
  readonly base: Readonly<Record<string, unknown>>;
  readonly params: readonly string[];
  readonly mode: 'grid' | 'paired';
  readonly shard?: { readonly index: number; readonly count: number };
  readonly totalPoints: number;
  readonly points: readonly SweepPoint[];
}
