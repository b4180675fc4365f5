import type { ContributionBase } from './contributions.js';

/** A GEMM of M x N outputs with reduction depth K (section 4 of hardware-model.md). */
export interface GemmShape {
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

export interface ArrayShape {
  readonly rows: number;
  readonly cols: number;
}

/**
 * How a GEMM maps onto the systolic array: given the GEMM and the array, the folds with,
 * for each, its cycles and operand traffic. The hardware package defines the fold plan it
 * consumes; the type parameter lets that package refine it without a cycle of imports.
 */
export interface DataflowContribution<Plan = unknown> extends ContributionBase {
  mapGemm(gemm: GemmShape, array: ArrayShape): Plan;
}
