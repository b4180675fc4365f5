/**
 * Tensor kernels on flat typed arrays (float32 or float64). Every product is one GEMM,
 * `C[M,N] (+)= A[M,K] * B[K,N]`, whose A operand may be stored transposed and whose zero
 * entries of A are skipped. The operands are arranged so that A is the sparse one (spikes
 * in the forward pass, membrane gradients du in the backward pass and in the weight
 * gradient), so sparsity speeds up the functional model much as it does the accelerator.
 * Convolutions go through im2col in "row per output pixel" form (colT[B*P, C*R*S]).
 */
import type { FloatArray } from './tensor.js';

/** Loop block sizes: a KB x NB panel of B stays in L2 while the rows of A stream past it. */
const KB = 256;
const NB = 512;

/** Per row of A and k-block: the nonzero entries' values and their B row offsets. */
const nzValue = new Float64Array(KB);
const nzOffset = new Int32Array(KB);

/**
 * C[M,N] = A * B (or += when `accumulate`). A's element (i, k) is at `A[i*sAi + k*sAk]`:
 * row-major A[M,K] is (sAi=K, sAk=1); A stored as [K,M] (that is, Aᵀ) is (sAi=1, sAk=M).
 * B is row-major [K,N], C row-major [M,N].
 *
 * Loop order j-block, k-block, i: each row of A is compressed to its nonzeros within the
 * k-block, then eight of them update a row segment of C at a time (one load and store of C
 * per eight multiply-adds). Zero entries of A cost one comparison.
 */
export function gemm(
  M: number,
  N: number,
  K: number,
  A: FloatArray,
  sAi: number,
  sAk: number,
  B: FloatArray,
  C: FloatArray,
  accumulate: boolean,
): void {
  if (!accumulate) C.fill(0, 0, M * N);
  const av = nzValue;
  const bo = nzOffset;
  for (let j0 = 0; j0 < N; j0 += NB) {
    const j1 = Math.min(N, j0 + NB);
    for (let k0 = 0; k0 < K; k0 += KB) {
      const k1 = Math.min(K, k0 + KB);
      for (let i = 0; i < M; i++) {
        const aRow = i * sAi;
        let nz = 0;
        for (let k = k0; k < k1; k++) {
          const a = A[aRow + k * sAk]!;
          if (a !== 0) {
            av[nz] = a;
            bo[nz++] = k * N;
          }
        }
        if (nz === 0) continue;
        const c0 = i * N;
        let p = 0;
        for (; p + 8 <= nz; p += 8) {
          const a0 = av[p]!, a1 = av[p + 1]!, a2 = av[p + 2]!, a3 = av[p + 3]!, a4 = av[p + 4]!, a5 = av[p + 5]!, a6 = av[p + 6]!, a7 = av[p + 7]!;
          const b0 = bo[p]!, b1 = bo[p + 1]!, b2 = bo[p + 2]!, b3 = bo[p + 3]!, b4 = bo[p + 4]!, b5 = bo[p + 5]!, b6 = bo[p + 6]!, b7 = bo[p + 7]!;
          for (let j = j0; j < j1; j++) {
            C[c0 + j] +=
              a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! + a3 * B[b3 + j]! + a4 * B[b4 + j]! + a5 * B[b5 + j]! + a6 * B[b6 + j]! + a7 * B[b7 + j]!;
          }
        }
        for (; p < nz; p++) {
          const a = av[p]!;
          const b = bo[p]!;
          for (let j = j0; j < j1; j++) C[c0 + j] += a * B[b + j]!;
        }
      }
    }
  }
}

/** out[n, m] = a[m, n]: transpose of a row-major [rows, cols] matrix. */
export function transpose(a: FloatArray, rows: number, cols: number, out: FloatArray): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[base + c]!;
  }
}

/** Geometry of a 2-D convolution over a batch (NCHW input, [K,C,R,S] weights, square kernel). */
export interface ConvGeometry {
  readonly batch: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly K: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  readonly Ho: number;
  readonly Wo: number;
}

/** Output size of a convolution along one axis (floor, as PyTorch). */
export function convOutSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/** colT[(b*P + p), (c*R*S + r*S + s)] = x[b, c, oy*stride - pad + r, ox*stride - pad + s] (0 outside). */
export function im2colT(g: ConvGeometry, x: FloatArray, colT: FloatArray): void {
  const { batch, C, H, W, kernel: R, stride, padding, Ho, Wo } = g;
  const CRS = C * R * R;
  let row = 0;
  for (let b = 0; b < batch; b++) {
    const xb = b * C * H * W;
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, row++) {
        let o = row * CRS;
        for (let c = 0; c < C; c++) {
          const xc = xb + c * H * W;
          for (let r = 0; r < R; r++) {
            const y = oy * stride - padding + r;
            if (y < 0 || y >= H) {
              colT.fill(0, o, o + R);
              o += R;
              continue;
            }
            const xr = xc + y * W;
            for (let s = 0; s < R; s++, o++) {
              const xx = ox * stride - padding + s;
              colT[o] = xx >= 0 && xx < W ? x[xr + xx]! : 0;
            }
          }
        }
      }
    }
  }
}

/** dx = sum of colT entries back onto the input positions they were read from (adjoint of im2colT). */
export function col2imT(g: ConvGeometry, colT: FloatArray, dx: FloatArray): void {
  const { batch, C, H, W, kernel: R, stride, padding, Ho, Wo } = g;
  const CRS = C * R * R;
  dx.fill(0, 0, batch * C * H * W);
  let row = 0;
  for (let b = 0; b < batch; b++) {
    const xb = b * C * H * W;
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, row++) {
        let o = row * CRS;
        for (let c = 0; c < C; c++) {
          const xc = xb + c * H * W;
          for (let r = 0; r < R; r++) {
            const y = oy * stride - padding + r;
            if (y < 0 || y >= H) {
              o += R;
              continue;
            }
            const xr = xc + y * W;
            for (let s = 0; s < R; s++, o++) {
              const xx = ox * stride - padding + s;
              if (xx >= 0 && xx < W) dx[xr + xx] += colT[o]!;
            }
          }
        }
      }
    }
  }
}

/** [B, K, P] <-> [B*P, K]: NCHW maps to and from the GEMM's row-per-pixel layout. */
function nchwToRows(a: FloatArray, batch: number, K: number, P: number, out: FloatArray): void {
  for (let b = 0; b < batch; b++) {
    const base = b * K * P;
    for (let k = 0; k < K; k++) {
      const src = base + k * P;
      for (let p = 0; p < P; p++) out[(b * P + p) * K + k] = a[src + p]!;
    }
  }
}

function rowsToNchw(rows: FloatArray, batch: number, K: number, P: number, out: FloatArray): void {
  for (let b = 0; b < batch; b++) {
    const base = b * K * P;
    for (let p = 0; p < P; p++) {
      const src = (b * P + p) * K;
      for (let k = 0; k < K; k++) out[base + k * P + p] = rows[src + k]!;
    }
  }
}

/**
 * Scratch buffers reused across calls (im2col matrices, transposed weights), so that a
 * training loop does not allocate the large temporaries at every step.
 */
export class Workspace {
  private readonly f32 = new Map<string, Float32Array>();
  private readonly f64 = new Map<string, Float64Array>();

  get(like: FloatArray, key: string, n: number): FloatArray {
    if (like instanceof Float64Array) {
      let a = this.f64.get(key);
      if (!a || a.length < n) this.f64.set(key, (a = new Float64Array(n)));
      return a;
    }
    let a = this.f32.get(key);
    if (!a || a.length < n) this.f32.set(key, (a = new Float32Array(n)));
    return a;
  }
}

const shared = new Workspace();

/** y[B,K,Ho,Wo] = conv2d(x[B,C,H,W], w[K,C,R,R]) with stride and zero padding, no bias. */
export function convForward(g: ConvGeometry, x: FloatArray, w: FloatArray, y: FloatArray, ws: Workspace = shared): void {
  const CRS = g.C * g.kernel * g.kernel;
  const wT = ws.get(x, 'wT', CRS * g.K);
  transpose(w, g.K, CRS, wT);
  convForwardT(g, x, wT, y, ws);
}

/** convForward with the weights already transposed to [C*R*S, K] (reused over the time steps). */
export function convForwardT(g: ConvGeometry, x: FloatArray, wT: FloatArray, y: FloatArray, ws: Workspace = shared): void {
  const P = g.Ho * g.Wo;
  const CRS = g.C * g.kernel * g.kernel;
  const rows = g.batch * P;
  const colT = ws.get(x, 'colT', rows * CRS);
  im2colT(g, x, colT);
  const yRows = ws.get(x, 'yRows', rows * g.K);
  gemm(rows, g.K, CRS, colT, CRS, 1, wT, yRows, false);
  rowsToNchw(yRows, g.batch, g.K, P, y);
}

/** dw[K,C,R,R] += correlation of the output gradient dy[B,K,Ho,Wo] with the input x (summed over the batch). */
export function convWeightGrad(g: ConvGeometry, x: FloatArray, dy: FloatArray, dw: FloatArray, ws: Workspace = shared): void {
  const P = g.Ho * g.Wo;
  const CRS = g.C * g.kernel * g.kernel;
  const rows = g.batch * P;
  const dyRows = ws.get(x, 'dyRows', rows * g.K);
  nchwToRows(dy, g.batch, g.K, P, dyRows);
  const colT = ws.get(x, 'colT', rows * CRS);
  im2colT(g, x, colT);
  // dw[K, CRS] += dyRowsᵀ[K, rows] * colT[rows, CRS]
  gemm(g.K, CRS, rows, dyRows, 1, g.K, colT, dw, true);
}

/** dx[B,C,H,W] = the transposed convolution of dy[B,K,Ho,Wo] with w (overwrites dx). */
export function convBackwardInput(g: ConvGeometry, w: FloatArray, dy: FloatArray, dx: FloatArray, ws: Workspace = shared): void {
  const P = g.Ho * g.Wo;
  const CRS = g.C * g.kernel * g.kernel;
  const rows = g.batch * P;
  const dyRows = ws.get(dy, 'dyRows', rows * g.K);
  nchwToRows(dy, g.batch, g.K, P, dyRows);
  // dcolT[rows, CRS] = dyRows[rows, K] * w[K, CRS], then scattered back onto the input.
  const dcolT = ws.get(dy, 'colT', rows * CRS);
  gemm(rows, CRS, g.K, dyRows, g.K, 1, w, dcolT, false);
  col2imT(g, dcolT, dx);
}

/** Both gradients of a convolution (dx skipped when null, as for the first layer). */
export function convBackward(g: ConvGeometry, x: FloatArray, w: FloatArray, dy: FloatArray, dx: FloatArray | null, dw: FloatArray, ws: Workspace = shared): void {
  convWeightGrad(g, x, dy, dw, ws);
  if (dx) convBackwardInput(g, w, dy, dx, ws);
}

/** y[B,out] = x[B,in] * wᵀ (w is [out,in]), no bias. */
export function linearForward(batch: number, nIn: number, nOut: number, x: FloatArray, w: FloatArray, y: FloatArray, ws: Workspace = shared): void {
  const wT = ws.get(x, 'wT', nIn * nOut);
  transpose(w, nOut, nIn, wT);
  linearForwardT(batch, nIn, nOut, x, wT, y);
}

/** linearForward with the weights already transposed to [in, out] (reused over the time steps). */
export function linearForwardT(batch: number, nIn: number, nOut: number, x: FloatArray, wT: FloatArray, y: FloatArray): void {
  gemm(batch, nOut, nIn, x, nIn, 1, wT, y, false);
}

/** dw[out,in] += dyᵀ[out,B] * x[B,in]. */
export function linearWeightGrad(batch: number, nIn: number, nOut: number, x: FloatArray, dy: FloatArray, dw: FloatArray): void {
  gemm(nOut, nIn, batch, dy, 1, nOut, x, dw, true);
}

/** dx[B,in] = dy[B,out] * w (overwrites dx). */
export function linearBackwardInput(batch: number, nIn: number, nOut: number, w: FloatArray, dy: FloatArray, dx: FloatArray): void {
  gemm(batch, nIn, nOut, dy, nOut, 1, w, dx, false);
}

/** Both gradients of a linear layer (dx skipped when null). */
export function linearBackward(batch: number, nIn: number, nOut: number, x: FloatArray, w: FloatArray, dy: FloatArray, dx: FloatArray | null, dw: FloatArray): void {
  linearWeightGrad(batch, nIn, nOut, x, dy, dw);
  if (dx) linearBackwardInput(batch, nIn, nOut, w, dy, dx);
}

/**
 * 2x2 stride-2 max pooling of x[B,C,H,W] (floor for odd sizes, as PyTorch). `argmax`
 * records, per output, the input index of the first maximal element of its window in
 * row-major order (for a window of zeros, its first element): the backward pass routes
 * the gradient there.
 */
export function poolForward(batch: number, C: number, H: number, W: number, x: FloatArray, y: FloatArray, argmax: Int32Array): void {
  const Ho = H >> 1;
  const Wo = W >> 1;
  let o = 0;
  for (let bc = 0; bc < batch * C; bc++) {
    const base = bc * H * W;
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, o++) {
        const i0 = base + 2 * oy * W + 2 * ox;
        let best = i0;
        let v = x[i0]!;
        // Strictly greater: ties keep the earlier element of the window (row-major order).
        if (x[i0 + 1]! > v) v = x[(best = i0 + 1)]!;
        if (x[i0 + W]! > v) v = x[(best = i0 + W)]!;
        if (x[i0 + W + 1]! > v) v = x[(best = i0 + W + 1)]!;
        y[o] = v;
        argmax[o] = best;
      }
    }
  }
}

/** dx = dy routed to the argmax of each window (dx is zeroed first). */
export function poolBackward(inSize: number, dy: FloatArray, argmax: Int32Array, dx: FloatArray): void {
  dx.fill(0, 0, inSize);
  for (let o = 0; o < dy.length; o++) dx[argmax[o]!] += dy[o]!;
}
