import { ConfigError } from '@sata/core';
import type { ContributionBase } from './contributions.js';

/** A GEMM of M x N outputs with reduction depth K (section 4 of hardware-model.md): ifmap M x K, filter K x N. */
export interface GemmShape {
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

export interface ArrayShape {
  readonly rows: number;
  readonly cols: number;
}

export type GemmDim = 'M' | 'N' | 'K';

/**
 * Where a dataflow puts the GEMM on an R x C array (SCALE-Sim's Sr, Sc, T): the dimension
 * spread over the rows, the one spread over the columns, and the one streamed in time.
 * The operand whose two dimensions are (rows, cols) stays in the PEs for a whole fold.
 */
export interface SystolicMapping {
  readonly rows: GemmDim;
  readonly cols: GemmDim;
  readonly time: GemmDim;
  /** The order folds run in: all column folds of a row fold first, or the reverse. */
  readonly foldOrder: 'rows-outer' | 'cols-outer';
  /**
   * Split the streamed (time) dimension into pieces of at most this many steps, each a
   * fold of its own (input-stationary mappings only): a column fold's partial sums then
   * cover one piece at a time, at the price of loading the stationary operand again per
   * piece. Unset: one piece, as SCALE-Sim.
   */
  readonly timeTile?: number;
}

/** Element counts of one fold at the global buffer (SRAM). */
export interface FoldTraffic {
  /** Operand elements read from SRAM; `psum` is partial sums read back to accumulate on. */
  readonly sramReads: { readonly ifmap: number; readonly filter: number; readonly psum: number };
  /** Output elements (partial or final sums) written to SRAM. */
  readonly sramWrites: { readonly ofmap: number };
}

/** One fold: the GEMM block [m0,m1) x [n0,n1) x [k0,k1) on `rowsUsed` x `colsUsed` PEs. */
export interface Fold extends FoldTraffic {
  readonly index: number;
  readonly rowFold: number;
  readonly colFold: number;
  /** Which piece of the streamed dimension (0 unless the mapping tiles time). */
  readonly timeFold: number;
  /** Steps this fold streams: its length along the time dimension. */
  readonly streamed: number;
  readonly rowsUsed: number;
  readonly colsUsed: number;
  readonly m0: number;
  readonly m1: number;
  readonly n0: number;
  readonly n1: number;
  readonly k0: number;
  readonly k1: number;
  /** Compute cycles of the fold (the array's pipeline filled and emptied), without stalls. */
  readonly cycles: number;
  /** True when this fold leaves its outputs final (the last fold of their reduction). */
  readonly outputsFinal: boolean;
}

export type GemmOperand = 'ifmap' | 'filter' | 'ofmap';

/** The part of an operand a fold touches: the same key means the same data (reusable if still on chip). */
export interface OperandTile {
  readonly key: number;
  readonly elements: number;
}

/** A dataflow's plan for one GEMM: folds in execution order, each with its cycles and SRAM traffic. */
export interface FoldPlan {
  readonly dataflow: string;
  readonly gemm: GemmShape;
  readonly array: ArrayShape;
  readonly mapping: SystolicMapping;
  /** SCALE-Sim's Sr, Sc, T. */
  readonly Sr: number;
  readonly Sc: number;
  readonly T: number;
  readonly rowFolds: number;
  readonly colFolds: number;
  readonly timeFolds: number;
  readonly folds: number;
  /** Cycles of a fold that streams a whole piece (every fold, unless time is tiled and the last piece is shorter). */
  readonly cyclesPerFold: number;
  /** The sum of every fold's cycles: the GEMM's compute cycles. */
  readonly computeCycles: number;
  /** Cycles after the last fold until its outputs have left the array (overlapped with the next fold otherwise). */
  readonly drainCycles: number;
  /** Fold `index` in execution order (0 <= index < folds). */
  fold(index: number): Fold;
  /** The tile of an operand that a fold reads (ifmap, filter) or accumulates into (ofmap). */
  tile(operand: GemmOperand, fold: Fold): OperandTile;
}

/**
 * How a GEMM maps onto the systolic array: given the GEMM and the array, the folds with,
 * for each, its cycles and operand traffic. `differences` documents, for users comparing
 * with SCALE-Sim, where and why this dataflow's figures differ from it on purpose.
 */
/** What the hardware tells a dataflow when it asks for a plan. */
export interface PlanHints {
  /**
   * The most steps of the streamed dimension whose partial sums (a column fold's worth)
   * fit in the output buffer's free space; a dataflow that tiles time uses it.
   */
  readonly maxStreamed?: number;
}

export interface DataflowContribution<Plan extends FoldPlan = FoldPlan> extends ContributionBase {
  readonly mapping: SystolicMapping;
  /** Splits the streamed dimension to keep partial sums on chip, from `PlanHints.maxStreamed`. */
  readonly tilesTime?: boolean;
  /**
   * Batches an SNN layer's T time steps into one GEMM where the dependencies allow it
   * (forward, backward and weight-gradient GEMMs; the LIF and gradient units stay
   * sequential in t), so the weights are fetched once instead of T times.
   */
  readonly batchesTime?: boolean;
  readonly differences: readonly string[];
  plan(gemm: GemmShape, array: ArrayShape, hints?: PlanHints): Plan;
}

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

function checkPositiveInt(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) throw new ConfigError(`${what} must be a positive integer, got ${String(v)}`);
}

/**
 * The fold algebra of a systolic array (hardware-model.md section 5, SCALE-Sim v2
 * compatible), for any mapping where partial sums either stay in the PEs (time = K:
 * output stationary) or flow down the columns (rows = K: an input operand stationary).
 * - folds = ceil(Sr/R) * ceil(Sc/C)
 * - cycles per fold: R + C + T - 2 when the outputs stay; 2R + C + T - 2 when an input
 *   operand stays (R extra cycles to shift it in). Every fold takes the full-array count:
 *   operands cross every PE whether the PE is mapped or not.
 * - SRAM reads: the stationary operand once per fold and PE; a streamed operand once per
 *   mapped row (or column) and time step; partial sums read back for every row fold after
 *   the first (a real array must add onto them; SCALE-Sim never reads them).
 */
export function planSystolicGemm(dataflow: string, mapping: SystolicMapping, gemm: GemmShape, array: ArrayShape): FoldPlan {
  for (const [k, v] of Object.entries(gemm)) checkPositiveInt(`GEMM ${k}`, v);
  checkPositiveInt('array rows', array.rows);
  checkPositiveInt('array cols', array.cols);
  const { rows: rd, cols: cd, time: td } = mapping;
  if (new Set([rd, cd, td]).size !== 3) throw new ConfigError(`dataflow ${dataflow}: mapping must use M, N and K once each, got rows=${rd} cols=${cd} time=${td}`);
  const outputStationary = td === 'K';
  if (!outputStationary && rd !== 'K') throw new ConfigError(`dataflow ${dataflow}: the reduction K must be streamed in time or spread over the rows`);
  const R = array.rows;
  const C = array.cols;
  const Sr = gemm[rd];
  const Sc = gemm[cd];
  const T = gemm[td];
  const rowFolds = ceilDiv(Sr, R);
  const colFolds = ceilDiv(Sc, C);
  if (mapping.timeTile !== undefined) {
    checkPositiveInt(`dataflow ${dataflow}: timeTile`, mapping.timeTile);
    // Pieces of K would leave outputs unfinished in the PEs between pieces.
    if (outputStationary) throw new ConfigError(`dataflow ${dataflow}: an output-stationary mapping streams the reduction K and cannot tile it`);
  }
  const piece = Math.min(mapping.timeTile ?? T, T);
  const timeFolds = ceilDiv(T, piece);
  const foldCycles = (streamed: number): number => (outputStationary ? 0 : R) + R + C + streamed - 2;
  const cyclesPerFold = foldCycles(piece);
  const lastPiece = T - (timeFolds - 1) * piece;
  const computeCycles = rowFolds * colFolds * ((timeFolds - 1) * cyclesPerFold + foldCycles(lastPiece));
  // With an input stationary, which input is it: the one without the time dimension.
  const stationary: GemmOperand = outputStationary ? 'ofmap' : td === 'M' ? 'filter' : 'ifmap';
  const dimsOf: Record<GemmOperand, readonly [GemmDim, GemmDim]> = { ifmap: ['M', 'K'], filter: ['K', 'N'], ofmap: ['M', 'N'] };

  const folds = rowFolds * colFolds * timeFolds;
  const fold = (index: number): Fold => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= folds) throw new RangeError(`fold ${index} out of range 0..${folds - 1}`);
    // The outer dimension, then the pieces of time, then the inner dimension.
    const inner = mapping.foldOrder === 'rows-outer' ? colFolds : rowFolds;
    const outer = Math.floor(index / (inner * timeFolds));
    const timeFold = Math.floor(index / inner) % timeFolds;
    const innerFold = index % inner;
    const rowFold = mapping.foldOrder === 'rows-outer' ? outer : innerFold;
    const colFold = mapping.foldOrder === 'rows-outer' ? innerFold : outer;
    const r0 = rowFold * R;
    const c0 = colFold * C;
    const t0 = timeFold * piece;
    const rowsUsed = Math.min(R, Sr - r0);
    const colsUsed = Math.min(C, Sc - c0);
    const streamed = Math.min(piece, T - t0);
    // The block: the spread dimensions take this fold's slice, the streamed one this piece.
    const lo = (d: GemmDim): number => (d === rd ? r0 : d === cd ? c0 : t0);
    const hi = (d: GemmDim): number => (d === rd ? r0 + rowsUsed : d === cd ? c0 + colsUsed : t0 + streamed);
    const m0 = lo('M'), m1 = hi('M'), n0 = lo('N'), n1 = hi('N'), k0 = lo('K'), k1 = hi('K');
    const mapped = rowsUsed * colsUsed;
    const streamedRows = rowsUsed * streamed;
    const streamedCols = colsUsed * streamed;
    let ifmap: number, filter: number, psum: number, ofmap: number;
    if (outputStationary) {
      // ifmap (M,K) enters along the rows, filter (K,N) down the columns; outputs stay.
      ifmap = rd === 'M' ? streamedRows : streamedCols;
      filter = rd === 'M' ? streamedCols : streamedRows;
      psum = 0;
      ofmap = mapped;
    } else {
      // The stationary input is loaded once per PE, the other streams along the rows, and
      // every column emits one partial sum per time step at the bottom.
      ifmap = stationary === 'ifmap' ? mapped : streamedRows;
      filter = stationary === 'filter' ? mapped : streamedRows;
      ofmap = streamedCols;
      psum = rowFold > 0 ? streamedCols : 0;
    }
    return {
      index, rowFold, colFold, timeFold, streamed, rowsUsed, colsUsed, m0, m1, n0, n1, k0, k1,
      cycles: foldCycles(streamed),
      outputsFinal: outputStationary || rowFold === rowFolds - 1,
      sramReads: { ifmap, filter, psum },
      sramWrites: { ofmap },
    };
  };

  const tile = (operand: GemmOperand, f: Fold): OperandTile => {
    // A tile is identified by the fold indexes along the operand's spread dimensions.
    let key = 0;
    let elements = 1;
    for (const d of dimsOf[operand]) {
      if (d === rd) {
        key = key * rowFolds + f.rowFold;
        elements *= f.rowsUsed;
      } else if (d === cd) {
        key = key * colFolds + f.colFold;
        elements *= f.colsUsed;
      } else {
        key = key * timeFolds + f.timeFold;
        elements *= f.streamed;
      }
    }
    return { key, elements };
  };

  return Object.freeze({
    dataflow, gemm, array, mapping, Sr, Sc, T, rowFolds, colFolds, timeFolds,
    folds,
    cyclesPerFold,
    computeCycles,
    // Output-stationary results are copied to shadow registers and read out one row per
    // cycle on the column buses while the next fold computes; only the last fold's show.
    drainCycles: outputStationary ? R : 0,
    fold,
    tile,
  });
}

/** Builds a systolic dataflow contribution from its mapping (the fold algebra is shared). */
export function defineSystolicDataflow(spec: ContributionBase & { readonly mapping: SystolicMapping; readonly differences: readonly string[]; readonly batchesTime?: boolean; readonly tilesTime?: boolean }): DataflowContribution {
  return Object.freeze({
    ...spec,
    plan: (gemm: GemmShape, array: ArrayShape, hints?: PlanHints) =>
      planSystolicGemm(spec.name, spec.tilesTime && hints?.maxStreamed !== undefined ? { ...spec.mapping, timeTile: Math.max(1, Math.floor(hints.maxStreamed)) } : spec.mapping, gemm, array),
  });
}
