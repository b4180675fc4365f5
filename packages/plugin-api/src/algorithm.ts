/**
 * Training algorithms (BPTT and its alternatives) as contributions: one module each, which
 * decides which gradient terms exist (the loss's windows, where the temporal path of the
 * membrane potential is cut, whether weight gradients use presynaptic traces) and the order
 * of work on the accelerator (phases of forward and backward steps), from which what is kept
 * between them follows. The functional model and the schedule read the instance; neither
 * lists algorithms.
 */
import type { ContributionBase } from './contributions.js';

/** A phase of the schedule: forward steps, backward steps (in the order given). */
export interface AlgorithmPhase {
  readonly forward?: readonly number[];
  readonly backward?: readonly number[];
  /** A forward pass that recomputes state for the backward pass (checkpointing): the loss head is not run again. */
  readonly recompute?: boolean;
  /**
   * Only a segment of the network (default: all of it): segment `segment` (0-based) of `of`,
   * the network's weighted layers split into `of` runs in order, each with the layers after
   * it up to the next (layer checkpointing).
   */
  readonly layers?: { readonly segment: number; readonly of: number };
}

/** An algorithm for one run (its parameters and T fixed). */
export interface AlgorithmInstance {
  /** `bptt`, `tbptt:2`, ...: as given on the command line, canonical. */
  readonly label: string;
  readonly name: string;
  /**
   * Groups of steps whose mean output enters one cross-entropy; the loss is the mean over
   * the groups (BPTT: one group of all steps; SLTT: one per step). Steps in no group get no
   * output gradient.
   */
  readonly lossWindows: readonly (readonly number[])[];
  /** Whether u[t-1] enters u[t] as a constant (t >= 1): no gradient flows from step t into step t-1's state. */
  cutBefore(t: number): boolean;
  /** OTTT: weight gradients use the presynaptic trace a[t] = traceLam a[t-1] + x[t] in place of x[t]. */
  readonly presynapticTrace?: number;
  /** The order of work on the accelerator. */
  readonly phases: readonly AlgorithmPhase[];
  /**
   * Groups of steps whose forward passes run together: batch norm's statistics are per group
   * (all T under BPTT). Where every phase runs the steps of one group (and none recomputes),
   * a time-batching dataflow stacks each phase's steps of a layer into one GEMM: all T under
   * BPTT, a window under TBPTT, one step under SLTT and OTTT.
   */
  readonly timeGroups: readonly (readonly number[])[];
  /** A sentence on what it keeps and what it drops. */
  readonly summary: string;
}

export interface AlgorithmContribution extends ContributionBase {
  /** The instance for `param` (the text after `name:`, if any), T steps and the run's seed; errors name `where`. */
  instantiate(param: string | undefined, T: number, seed: number, where: string): AlgorithmInstance;
}
