/**
 * Tensors are flat typed arrays in the layouts of snn-model.md (NCHW feature maps, [K,C,R,S]
 * conv weights, [out,in] linear weights). float64 is for verification against the golden
 * files, float32 for speed; every kernel accepts both.
 */
export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

export function alloc(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

/** A copy of `values` in `dtype`. */
export function fromValues(dtype: DType, values: ArrayLike<number>): FloatArray {
  const out = alloc(dtype, values.length);
  out.set(values as ArrayLike<number>);
  return out;
}

/** Number of nonzero entries (exact count; -0 counts as zero). */
export function countNonzero(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}
