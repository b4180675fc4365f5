import type { DataflowContribution, GemmShape, Stage } from '@sata/plugin-api';
import type { GatingRule, GemmActivity, Matrix } from './activity.js';

/** Operand roles of a GEMM: ifmap (M x K), filter (K x N), ofmap (M x N). */
export interface PerOperand<T> {
  readonly ifmap: T;
  readonly filter: T;
  readonly ofmap: T;
}

/**
 * Where a step's figures go in the results: its layer (by name), training stage and
 * 0-based time step (null: all steps at once, or none). Carried on the step, so results,
 * pricing and re-costing never match parallel lists by index.
 */
export interface StepAttribution {
  readonly layer: string;
  readonly stage: Stage;
  readonly t: number | null;
}

/**
 * One GEMM of a schedule: a layer's forward pass at one step, a backward or weight-
 * gradient GEMM, ... The accelerator runs it fold by fold through its memories.
 */
export interface GemmStep {
  readonly kind: 'gemm';
  /** Names the step in results, e.g. `conv1/FP/t1`. */
  readonly label: string;
  readonly attribution?: StepAttribution;
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
  /**
   * Keep the whole output on chip for a later step (a vector unit reads it next): it is
   * pinned in its partition if it fits beside what is pinned already, else its final
   * tiles go to DRAM and the reader fetches them back. Needs `tensors.ofmap`.
   */
  readonly keepOutput?: boolean;
  /**
   * The step adds onto the values its output tensor already holds (a weight gradient summed
   * over time steps): each output tile is read once before the first addition to it.
   */
  readonly accumulate?: boolean;
  /** Pinned tensors this step reads for the last time: unpinned when it ends. */
  readonly release?: readonly { readonly tensor: string; readonly partition: string }[];
}

/**
 * A vector step's access to a whole tensor (placement by capacity, hardware-model.md
 * section 6). A `write` with `keep` pins the tensor in its partition if it fits, else it
 * is staged through the partition to DRAM; a `read` finds a pinned tensor on chip, or
 * fetches it from DRAM through the partition; `release` unpins it after this read.
 */
export interface TensorAccess {
  readonly tensor: string;
  readonly partition: string;
  readonly access: 'read' | 'write';
  readonly elements: number;
  readonly bitsPerElement: number;
  readonly keep?: boolean;
  readonly release?: boolean;
}

/**
 * Work for one of the vector units: LIF updates, gradient-unit updates, encoding, or an
 * `elementwise` operation (pooling, ReLU, weight update) on the LIF unit's datapath with
 * its own action class and primitive operations per element.
 */
export interface VectorStep {
  readonly kind: 'lif' | 'gradient' | 'encode' | 'elementwise' | 'vector';
  readonly label: string;
  readonly attribution?: StepAttribution;
  readonly elements: number;
  readonly bits: number;
  /** For `elementwise`: the energy-model class and the primitive operations per element. */
  readonly ops?: { readonly component: string; readonly perElement: Readonly<Record<string, number>> };
  /** Operations skipped because an operand is zero (e.g. the gradient unit's multiply where sg = 0), per primitive. */
  readonly skipped?: Readonly<Record<string, number>>;
  /** Tensors the step reads before and writes after its work. */
  readonly traffic?: readonly TensorAccess[];
}

export type ScheduleStep = GemmStep | VectorStep;
