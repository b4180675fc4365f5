import { ConfigError } from '@sata/core';
import type { Fold, FoldPlan } from '@sata/plugin-api';
import type { GatingRule, Matrix } from './activity.js';
import { addFoldCounts, emptyFoldCounts, type FoldCounts } from './fold-counts.js';

/** PE-steps (PEs x clock cycles) above which the cycle-level reference refuses a GEMM. */
export const CYCLE_LEVEL_MAX_PE_STEPS = 50_000_000;

export interface CycleLevelResult {
  /** Sum of the fold windows: first operand in to last value out of the array. */
  readonly cycles: number;
  /** Cycles after the last fold until its outputs have been read out. */
  readonly drainCycles: number;
  readonly perFold: readonly FoldCounts[];
  readonly total: FoldCounts;
  /** The GEMM's result as the array computed it (M x N, row-major). */
  readonly output: Float64Array;
  /** PEs times clock cycles simulated. */
  readonly peSteps: number;
}

/** The PE-steps a GEMM would take in the cycle-level model, to decide before running it. */
export function cycleLevelSize(plan: FoldPlan): number {
  return plan.array.rows * plan.array.cols * (plan.computeCycles + plan.drainCycles);
}

/**
 * The cycle-level reference of the systolic array: every clock, every PE. Operands are
 * skewed in at the left and top edges and shift one PE per cycle; a wavefront crosses the
 * whole array whether a PE is mapped or not (unmapped rows carry bubbles), so every fold
 * takes the full-array time. Output stationary: outputs accumulate in the PEs, are copied
 * to shadow registers at the end of the fold and read out one row per cycle on the column
 * buses while the next fold runs. Input stationary (weights or inputs): the stationary
 * operand shifts in from the top in R cycles, the other streams along the rows, partial
 * sums flow down the columns and leave at the bottom (read back from SRAM for every row
 * fold after the first). It computes the GEMM itself, so its dataflow is checked too.
 */
export function runCycleLevel(plan: FoldPlan, ifmap: Matrix, filter: Matrix, gating: GatingRule, maxPeSteps = CYCLE_LEVEL_MAX_PE_STEPS): CycleLevelResult {
  const { M, N, K } = plan.gemm;
  if (ifmap.rows !== M || ifmap.cols !== K || filter.rows !== K || filter.cols !== N) {
    throw new ConfigError(`operands ${ifmap.rows}x${ifmap.cols} and ${filter.rows}x${filter.cols} do not match the GEMM M=${M} N=${N} K=${K}`);
  }
  const size = cycleLevelSize(plan);
  if (size > maxPeSteps) {
    throw new ConfigError(`GEMM M=${M} N=${N} K=${K} on a ${plan.array.rows}x${plan.array.cols} array is too large for the cycle-level model: ${size} PE-steps, limit ${maxPeSteps} (use the fold-level model)`);
  }
  const model = new CycleLevelArray(plan, ifmap.data, filter.data, gating);
  const perFold: FoldCounts[] = [];
  let cycles = 0;
  for (let i = 0; i < plan.folds; i++) {
    const f = plan.fold(i);
    const c = plan.mapping.time === 'K' ? model.outputStationaryFold(f) : model.inputStationaryFold(f);
    cycles += c.cycles;
    perFold.push(c);
  }
  let drainCycles = 0;
  while (model.drainPending()) {
    model.drainStep();
    model.peSteps += plan.array.rows * plan.array.cols;
    drainCycles++;
  }
  const total = emptyFoldCounts();
  for (const c of perFold) addFoldCounts(total, c);
  return { cycles, drainCycles, perFold, total, output: model.output, peSteps: model.peSteps };
}

class CycleLevelArray {
  readonly R: number;
  readonly C: number;
  readonly output: Float64Array;
  peSteps = 0;
  // Horizontal (left to right) and vertical (top to bottom) pipeline registers per PE:
  // wavefront tag (time index, -1 empty), whether the value is mapped data, the value.
  private readonly hTag: Int32Array;
  private readonly hOk: Uint8Array;
  private readonly hVal: Float64Array;
  private readonly vTag: Int32Array;
  private readonly vOk: Uint8Array;
  private readonly vVal: Float64Array;
  private readonly stat: Float64Array;
  private readonly acc: Float64Array;
  private drain: { counts: FoldCounts; fold: Fold; shadow: Float64Array; row: number } | undefined;

  constructor(readonly plan: FoldPlan, readonly A: ArrayLike<number>, readonly B: ArrayLike<number>, readonly gating: GatingRule) {
    this.R = plan.array.rows;
    this.C = plan.array.cols;
    const n = this.R * this.C;
    this.hTag = new Int32Array(n);
    this.hOk = new Uint8Array(n);
    this.hVal = new Float64Array(n);
    this.vTag = new Int32Array(n);
    this.vOk = new Uint8Array(n);
    this.vVal = new Float64Array(n);
    this.stat = new Float64Array(n);
    this.acc = new Float64Array(n);
    this.output = new Float64Array(plan.gemm.M * plan.gemm.N);
  }

  private isGated(a: number, b: number): boolean {
    switch (this.gating) {
      case 'none':
        return false;
      case 'ifmap':
        return a === 0;
      case 'filter':
        return b === 0;
      case 'any':
        return a === 0 || b === 0;
    }
  }

  private a(m: number, k: number): number {
    return this.A[m * this.plan.gemm.K + k]!;
  }

  private b(k: number, n: number): number {
    return this.B[k * this.plan.gemm.N + n]!;
  }

  drainPending(): boolean {
    return this.drain !== undefined;
  }

  /** One cycle of the output-stationary readout: row `row` of the shadow registers onto the column buses. */
  drainStep(): void {
    const d = this.drain;
    if (!d) return;
    const { fold, shadow } = d;
    const rowsDimIsM = this.plan.mapping.rows === 'M';
    if (d.row < fold.rowsUsed) {
      for (let j = 0; j < fold.colsUsed; j++) {
        const m = rowsDimIsM ? fold.m0 + d.row : fold.m0 + j;
        const n = rowsDimIsM ? fold.n0 + j : fold.n0 + d.row;
        this.output[m * this.plan.gemm.N + n] = shadow[d.row * this.C + j]!;
        d.counts.sramWrites.ofmap++;
      }
    }
    if (++d.row === this.R) this.drain = undefined;
  }

  /**
   * One clock of the operand that moves along the rows (both fold kinds): PE (i, j > 0)
   * takes its left neighbour's value; the left edge takes step t = cycle - i of row i from
   * the buffer, skewed one cycle per row (a read only where the row is mapped).
   */
  private shiftAlongRow(p: number, i: number, j: number, cycle: number, T: number, rowsUsed: number, value: (i: number, t: number) => number, counts: FoldCounts, operand: 'ifmap' | 'filter'): void {
    const { hTag, hOk, hVal } = this;
    if (j > 0) {
      hTag[p] = hTag[p - 1]!;
      hOk[p] = hOk[p - 1]!;
      hVal[p] = hVal[p - 1]!;
      return;
    }
    const t = cycle - i;
    if (t >= 0 && t < T) {
      hTag[p] = t;
      hOk[p] = i < rowsUsed ? 1 : 0;
      hVal[p] = hOk[p] ? value(i, t) : 0;
      if (hOk[p]) counts.sramReads[operand]++;
    } else hTag[p] = -1;
  }

  outputStationaryFold(f: Fold): FoldCounts {
    const { R, C, hTag, hOk, hVal, vTag, vOk, vVal, acc } = this;
    const T = f.streamed;
    const rowsDimIsM = this.plan.mapping.rows === 'M';
    const counts = emptyFoldCounts();
    hTag.fill(-1);
    vTag.fill(-1);
    acc.fill(0);
    // Left edge: ifmap rows (or filter columns when N is on the rows), top edge: the other operand.
    const left = (i: number, t: number): number => (rowsDimIsM ? this.a(f.m0 + i, f.k0 + t) : this.b(f.k0 + t, f.n0 + i));
    const top = (j: number, t: number): number => (rowsDimIsM ? this.b(f.k0 + t, f.n0 + j) : this.a(f.m0 + j, f.k0 + t));
    const leftIsIfmap = rowsDimIsM;
    let cycle = 0;
    for (;;) {
      let present = false;
      for (let i = R - 1; i >= 0; i--) {
        for (let j = C - 1; j >= 0; j--) {
          const p = i * C + j;
          const mappedPe = i < f.rowsUsed && j < f.colsUsed;
          this.shiftAlongRow(p, i, j, cycle, T, f.rowsUsed, left, counts, leftIsIfmap ? 'ifmap' : 'filter');
          if (i > 0) {
            vTag[p] = vTag[p - C]!;
            vOk[p] = vOk[p - C]!;
            vVal[p] = vVal[p - C]!;
          } else {
            const t = cycle - j;
            if (t >= 0 && t < T) {
              vTag[p] = t;
              vOk[p] = j < f.colsUsed ? 1 : 0;
              vVal[p] = vOk[p] ? top(j, t) : 0;
              if (vOk[p]) counts.sramReads[leftIsIfmap ? 'filter' : 'ifmap']++;
            } else vTag[p] = -1;
          }
          if (hTag[p]! >= 0 || vTag[p]! >= 0) present = true;
          if (mappedPe && hTag[p]! >= 0 && hOk[p]) counts.transfers[leftIsIfmap ? 'ifmap' : 'filter']++;
          if (mappedPe && vTag[p]! >= 0 && vOk[p]) counts.transfers[leftIsIfmap ? 'filter' : 'ifmap']++;
          if (hTag[p]! >= 0 && vTag[p]! >= 0 && hOk[p] && vOk[p]) {
            if (hTag[p] !== vTag[p]) throw new Error(`cycle-level model: skew broken at PE (${i},${j}) cycle ${cycle}`);
            const a = leftIsIfmap ? hVal[p]! : vVal[p]!;
            const b = leftIsIfmap ? vVal[p]! : hVal[p]!;
            if (this.isGated(a, b)) counts.gatedOps++;
            else {
              acc[p] = acc[p]! + a * b;
              counts.activeOps++;
              counts.spadReads.ifmap++;
              counts.spadReads.filter++;
            }
          } else counts.idlePeCycles++;
        }
      }
      if (!present) break;
      this.drainStep();
      this.peSteps += R * C;
      cycle++;
    }
    if (this.drain) throw new Error('cycle-level model: a fold ended before the previous one was read out');
    counts.cycles = cycle;
    // The last cycle scanned held no value: its PE-cycles were not part of the fold.
    counts.idlePeCycles -= R * C;
    this.drain = { counts, fold: f, shadow: Float64Array.from(acc), row: 0 };
    return counts;
  }

  inputStationaryFold(f: Fold): FoldCounts {
    const { R, C, hTag, hOk, hVal, vTag, vOk, vVal, stat } = this;
    const T = f.streamed;
    const N = this.plan.gemm.N;
    const filterStationary = this.plan.mapping.time === 'M';
    // Step t of the fold is step t0 + t of the streamed dimension (time may be tiled).
    const t0 = filterStationary ? f.m0 : f.n0;
    const counts = emptyFoldCounts();
    const stationaryName = filterStationary ? 'filter' : 'ifmap';
    const streamedName = filterStationary ? 'ifmap' : 'filter';
    // PE (i, j) holds operand element (k0 + i, c0 + j); the streamed operand at row i, time t.
    const stationaryValue = (i: number, j: number): number => (filterStationary ? this.b(f.k0 + i, f.n0 + j) : this.a(f.m0 + j, f.k0 + i));
    const streamedValue = (i: number, t: number): number => (filterStationary ? this.a(t0 + t, f.k0 + i) : this.b(f.k0 + i, t0 + t));
    const outIndex = (j: number, t: number): number => (filterStationary ? (t0 + t) * N + f.n0 + j : (f.m0 + j) * N + t0 + t);

    // Load: the value for row R-1-c enters the top at cycle c and shifts down one row a cycle.
    vTag.fill(-1);
    for (let cycle = 0; cycle < R; cycle++) {
      for (let i = R - 1; i >= 0; i--) {
        for (let j = C - 1; j >= 0; j--) {
          const p = i * C + j;
          if (i > 0) {
            vTag[p] = vTag[p - C]!;
            vOk[p] = vOk[p - C]!;
            vVal[p] = vVal[p - C]!;
          } else {
            const dest = R - 1 - cycle;
            vTag[p] = dest;
            vOk[p] = dest < f.rowsUsed && j < f.colsUsed ? 1 : 0;
            vVal[p] = vOk[p] ? stationaryValue(dest, j) : 0;
            if (vOk[p]) counts.sramReads[stationaryName]++;
          }
          if (vTag[p]! >= 0 && vOk[p] && i < f.rowsUsed && j < f.colsUsed) counts.transfers[stationaryName]++;
          counts.idlePeCycles++;
        }
      }
      this.drainStep();
      this.peSteps += R * C;
    }
    for (let p = 0; p < R * C; p++) {
      if (vTag[p] !== Math.floor(p / C)) throw new Error('cycle-level model: stationary operand loaded into the wrong row');
      stat[p] = vTag[p]! >= 0 && vOk[p] ? vVal[p]! : 0;
    }

    // Stream: operand along the rows, partial sums down the columns.
    hTag.fill(-1);
    vTag.fill(-1);
    let cycle = 0;
    for (;;) {
      let present = false;
      // Partial sums in the bottom row leave the array on this cycle's shift.
      for (let j = 0; j < C; j++) {
        const p = (R - 1) * C + j;
        if (vTag[p]! >= 0 && vOk[p]) {
          this.output[outIndex(j, vTag[p]!)] = vVal[p]!;
          counts.sramWrites.ofmap++;
        }
      }
      for (let i = R - 1; i >= 0; i--) {
        for (let j = C - 1; j >= 0; j--) {
          const p = i * C + j;
          const mappedPe = i < f.rowsUsed && j < f.colsUsed;
          this.shiftAlongRow(p, i, j, cycle, T, f.rowsUsed, streamedValue, counts, streamedName);
          if (i > 0) {
            vTag[p] = vTag[p - C]!;
            vOk[p] = vOk[p - C]!;
            vVal[p] = vVal[p - C]!;
          } else {
            const t = cycle - j;
            if (t >= 0 && t < T) {
              vTag[p] = t;
              vOk[p] = j < f.colsUsed ? 1 : 0;
              let psum = 0;
              if (vOk[p] && f.rowFold > 0) {
                psum = this.output[outIndex(j, t)]!;
                counts.sramReads.psum++;
              }
              vVal[p] = psum;
            } else vTag[p] = -1;
          }
          if (hTag[p]! >= 0 || vTag[p]! >= 0) present = true;
          if (mappedPe && hTag[p]! >= 0 && hOk[p]) counts.transfers[streamedName]++;
          if (mappedPe && vTag[p]! >= 0 && vOk[p]) counts.transfers.psum++;
          if (mappedPe && hTag[p]! >= 0 && vTag[p]! >= 0 && hOk[p] && vOk[p]) {
            if (hTag[p] !== vTag[p]) throw new Error(`cycle-level model: skew broken at PE (${i},${j}) cycle ${cycle}`);
            const s = stat[p]!;
            const x = hVal[p]!;
            const a = filterStationary ? x : s;
            const b = filterStationary ? s : x;
            if (this.isGated(a, b)) counts.gatedOps++;
            else {
              vVal[p] = vVal[p]! + a * b;
              counts.activeOps++;
              counts.spadReads.ifmap++;
              counts.spadReads.filter++;
            }
          } else counts.idlePeCycles++;
        }
      }
      if (!present) break;
      this.drainStep();
      this.peSteps += R * C;
      cycle++;
    }
    counts.idlePeCycles -= R * C;
    counts.cycles = R + cycle;
    return counts;
  }
}
