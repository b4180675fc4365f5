import type { DataflowContribution, GemmShape } from '@sata/plugin-api';
import type { GatingRule, GemmActivity, Matrix } from './activity.js';

/** Operand roles of a GEMM: ifmap (M x K), filter (K x N), ofmap (M x N). */
export interface PerOperand<T> {
  readonly ifmap: T;
  readonly filter: T;
  readonly ofmap: T;
}

/**
 * One GEMM of a schedule: a layer's forward pass at one step, a backward or weight-
 * gradient GEMM, ... The accelerator runs it fold by fold through its memories.
 */
export interface GemmStep {
  readonly kind: 'gemm';
  /** Names the step in results, e.g. `conv1/FP/t1`. */
  readonly label: string;
  readonly gemm: GemmShape;
  readonly dataflow: DataflowContribution;
  /** Which operands are zero; default: dense (nothing gated). */
  readonly activity?: GemmActivity;
  /** The operand data, for the cycle-level array model (which needs values, not counts). */
  readonly operands?: { readonly ifmap: Matrix; readonly filter: Matrix };
  readonly gating: GatingRule;
  /** What an active PE operation is: an AND-accumulate (spike input) or a multiply-accumulate. */
  readonly operation: 'and_accumulate' | 'mac';
  /** Bits per element of each operand (ofmap: the partial and final sums). */
  readonly bits: PerOperand<number>;
  /** The global-buffer partition that holds each operand. */
  readonly buffers: PerOperand<string>;
  /**
   * Tensor names: tiles of the same tensor in the same partition are the same data, so a
   * later step finds them on chip if they are still there (weights reused over time steps,
   * a layer's output read by the next). Default: names private to this step.
   */
  readonly tensors?: Partial<PerOperand<string>>;
  /** Where the final outputs go: to DRAM (default), or they stay in their partition. */
  readonly outputTo?: 'dram' | 'buffer';
}

/** Work for one of the vector units: LIF updates, gradient-unit updates, or encoding. */
export interface VectorStep {
  readonly kind: 'lif' | 'gradient' | 'encode';
  readonly label: string;
  readonly elements: number;
  readonly bits: number;
}

export type ScheduleStep = GemmStep | VectorStep;
