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

/** One training iteration of one network on one architecture. */
export interface TrainingResult {
  readonly kind: 'training-iteration';
  readonly arch: 'sata' | 'eyeriss';
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
