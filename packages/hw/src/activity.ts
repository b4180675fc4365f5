import { ConfigError } from '@sata/core';

/**
 * Which zero operands switch a PE off for an operation (hardware-model.md section 5:
 * gating saves energy, not cycles). FP on SATA gates on the input spike (`ifmap`), BP on
 * the membrane gradient du (the ifmap of its GEMM), WG on either (`any`).
 */
export type GatingRule = 'none' | 'ifmap' | 'filter' | 'any';

/** A block of the GEMM's iteration space: outputs [m0,m1) x [n0,n1), reduction [k0,k1). */
export interface GemmBlock {
  readonly m0: number;
  readonly m1: number;
  readonly n0: number;
  readonly n1: number;
  readonly k0: number;
  readonly k1: number;
}

/** A dense row-major matrix (any numeric array); only whether entries are zero matters here. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
}

/**
 * What the operands of a GEMM look like, as far as gating is concerned. `activeOps` is the
 * number of operations in a block that the rule does not gate: a whole number from actual
 * tensors (`measured`), an expectation from densities (`statistical`, may be fractional).
 */
export interface GemmActivity {
  readonly source: 'dense' | 'statistical' | 'measured';
  activeOps(block: GemmBlock, gating: GatingRule): number;
  /** Nonzero elements of the ifmap (M x K) or filter (K x N) in a block of rows and columns. */
  nonzeros(operand: 'ifmap' | 'filter', r0: number, r1: number, c0: number, c1: number): number;
  /**
   * Rows of the block whose entries in columns [c0, c1) are all zero (expected, under
   * statistical sparsity). Optional: from actual tensors `zeroRows` counts them with
   * `nonzeros`, row by row.
   */
  zeroRows?(operand: 'ifmap' | 'filter', r0: number, r1: number, c0: number, c1: number): number;
}

/** Rows of a block that are all zero: the activity's own figure, or counted row by row from actual tensors. */
export function zeroRows(activity: GemmActivity, operand: 'ifmap' | 'filter', r0: number, r1: number, c0: number, c1: number): number {
  if (activity.zeroRows) return activity.zeroRows(operand, r0, r1, c0, c1);
  if (activity.source === 'statistical') throw new ConfigError('this statistical activity gives no expected number of all-zero rows (zeroRows), which a skipping array needs');
  let n = 0;
  for (let r = r0; r < r1; r++) if (activity.nonzeros(operand, r, r + 1, c0, c1) === 0) n++;
  return n;
}

const opsIn = (b: GemmBlock): number => (b.m1 - b.m0) * (b.n1 - b.n0) * (b.k1 - b.k0);

/** Every operand nonzero: nothing is gated. */
export const denseActivity: GemmActivity = Object.freeze({
  source: 'dense' as const,
  activeOps: (b: GemmBlock) => opsIn(b),
  nonzeros: (_o: 'ifmap' | 'filter', r0: number, r1: number, c0: number, c1: number) => (r1 - r0) * (c1 - c0),
  zeroRows: () => 0,
});

/**
 * Densities (fraction of nonzero elements) of the two operands, zeros placed independently:
 * under `any` an operation is active with probability ifmap * filter.
 */
export function densityActivity(densities: { readonly ifmap: number; readonly filter: number }): GemmActivity {
  for (const [k, v] of Object.entries(densities)) {
    if (!(v >= 0 && v <= 1)) throw new ConfigError(`${k} density must be in [0, 1], got ${String(v)}`);
  }
  const fraction: Record<GatingRule, number> = { none: 1, ifmap: densities.ifmap, filter: densities.filter, any: densities.ifmap * densities.filter };
  return Object.freeze({
    source: 'statistical' as const,
    activeOps: (b: GemmBlock, gating: GatingRule) => opsIn(b) * fraction[gating],
    nonzeros: (o: 'ifmap' | 'filter', r0: number, r1: number, c0: number, c1: number) => (r1 - r0) * (c1 - c0) * densities[o],
    // Zeros placed independently: a row of c1 - c0 entries is all zero with probability (1 - d)^(c1 - c0).
    zeroRows: (o: 'ifmap' | 'filter', r0: number, r1: number, c0: number, c1: number) => (r1 - r0) * (1 - densities[o]) ** (c1 - c0),
  });
}

/**
 * Activity from the actual operands: ifmap A (M x K) and filter B (K x N). Per reduction
 * index k it keeps prefix counts of nonzeros of A's column k over m and of B's row k over
 * n, so a block costs O(k1 - k0): the active operations of a block are
 * sum_k nnz(A[m0:m1, k]) * nnz(B[k, n0:n1]) under `any`, and the one-sided sums otherwise.
 */
export function tensorActivity(ifmap: Matrix, filter: Matrix): GemmActivity {
  checkMatrix('ifmap', ifmap);
  checkMatrix('filter', filter);
  if (ifmap.cols !== filter.rows) throw new ConfigError(`ifmap is ${ifmap.rows} x ${ifmap.cols} but filter is ${filter.rows} x ${filter.cols}: the reduction depths differ`);
  const M = ifmap.rows;
  const K = ifmap.cols;
  const N = filter.cols;
  // aPrefix[k*(M+1) + m]: nonzeros of A[0:m, k]; bPrefix[k*(N+1) + n]: nonzeros of B[k, 0:n].
  const aPrefix = new Int32Array(K * (M + 1));
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let m = 0; m < M; m++) {
      aPrefix[k * (M + 1) + m] = s;
      if (ifmap.data[m * K + k] !== 0) s++;
    }
    aPrefix[k * (M + 1) + M] = s;
  }
  const bPrefix = new Int32Array(K * (N + 1));
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let n = 0; n < N; n++) {
      bPrefix[k * (N + 1) + n] = s;
      if (filter.data[k * N + n] !== 0) s++;
    }
    bPrefix[k * (N + 1) + N] = s;
  }
  const colA = (k: number, m0: number, m1: number): number => aPrefix[k * (M + 1) + m1]! - aPrefix[k * (M + 1) + m0]!;
  const rowB = (k: number, n0: number, n1: number): number => bPrefix[k * (N + 1) + n1]! - bPrefix[k * (N + 1) + n0]!;
  return Object.freeze({
    source: 'measured' as const,
    activeOps(b: GemmBlock, gating: GatingRule): number {
      if (b.m1 > M || b.n1 > N || b.k1 > K) throw new ConfigError(`block [${b.m0},${b.m1})x[${b.n0},${b.n1})x[${b.k0},${b.k1}) exceeds the ${M}x${N}x${K} GEMM of the given tensors`);
      if (gating === 'none') return opsIn(b);
      let s = 0;
      for (let k = b.k0; k < b.k1; k++) {
        if (gating === 'ifmap') s += colA(k, b.m0, b.m1) * (b.n1 - b.n0);
        else if (gating === 'filter') s += rowB(k, b.n0, b.n1) * (b.m1 - b.m0);
        else s += colA(k, b.m0, b.m1) * rowB(k, b.n0, b.n1);
      }
      return s;
    },
    nonzeros(o: 'ifmap' | 'filter', r0: number, r1: number, c0: number, c1: number): number {
      let s = 0;
      if (o === 'ifmap') for (let k = c0; k < c1; k++) s += colA(k, r0, r1);
      else for (let k = r0; k < r1; k++) s += rowB(k, c0, c1);
      return s;
    },
  });
}

function checkMatrix(what: string, m: Matrix): void {
  if (!Number.isSafeInteger(m.rows) || !Number.isSafeInteger(m.cols) || m.rows < 1 || m.cols < 1) throw new ConfigError(`${what} matrix must have positive integer dimensions, got ${m.rows} x ${m.cols}`);
  if (m.data.length !== m.rows * m.cols) throw new ConfigError(`${what} matrix is ${m.rows} x ${m.cols} but holds ${m.data.length} values`);
}
