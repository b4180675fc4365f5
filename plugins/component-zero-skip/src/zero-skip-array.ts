import { defineComponentInfo, type Component, type Simulator } from '@sata/core';
import { PEArray, peArrayInfo, zeroRows, type FoldCounts, type FoldJob, type GatingRule, type GemmActivity } from '@sata/hw';
import type { Fold, FoldPlan } from '@sata/plugin-api';

/** What the component is, next to its class: `sata plugins` lists it, its parameters are validated against it. */
export const zeroSkipArrayInfo = defineComponentInfo({
  type: 'zeroskip.PEArray',
  version: '1.0.0',
  description: "SATA's systolic array that skips a streamed ifmap row of a fold when it is all zero, instead of gating it, and pays for a per-row index",
  params: {
    ...peArrayInfo.params,
    indexBitsPerRow: { type: 'int', default: 1, min: 1, max: 32, unit: 'bits', description: 'index bits stored with, and read for, every streamed row of a fold' },
  },
  ports: peArrayInfo.ports,
  stats: {
    ...peArrayInfo.stats,
    skippedRows: { kind: 'counter', unit: 'rows', description: 'streamed rows skipped (all zero for the fold\'s mapped inputs)' },
    indexReadBits: { kind: 'counter', unit: 'bits', description: 'index bits read from the ifmap partition' },
  },
});

/**
 * A weight-stationary fold streams one ifmap row [m, k0:k1) per cycle through the array.
 * SATA gates a PE whose input spike is zero, which saves energy but no time. This array
 * also reads a per-row index (one bit per streamed row: any spike in the fold's inputs?)
 * and skips the rows that have none: a skipped row costs no cycle, no PE operation and no
 * operand or partial sum moving through the PEs. It pays for the index: its bits are
 * stored with the ifmap tile (buffer capacity and DRAM traffic), read from the buffer for
 * every streamed row, and decoded (a zero test and a select per row).
 */
export class ZeroSkipPEArray extends PEArray {
  private readonly indexBits: number;
  private readonly skippedRows = this.counter('skippedRows');
  private readonly indexReadBits = this.counter('indexReadBits');
  /** The rows each fold's counts skipped, until the array runs that fold. */
  private readonly skippedIn = new WeakMap<FoldCounts, number>();

  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, params, zeroSkipArrayInfo);
    this.indexBits = (this.params as unknown as { indexBitsPerRow: number }).indexBitsPerRow;
  }

  /** Skipping needs the ifmap streamed through the rows (K on the rows, M in time) and gating on zero ifmap values. */
  private skips(plan: FoldPlan, gating: GatingRule): boolean {
    return plan.mapping.rows === 'K' && plan.mapping.time === 'M' && (gating === 'ifmap' || gating === 'any');
  }

  override countFold(plan: FoldPlan, fold: Fold, activity: GemmActivity, gating: GatingRule): FoldCounts {
    const c = super.countFold(plan, fold, activity, gating);
    if (!this.skips(plan, gating)) return c;
    // Expected under statistical sparsity, counted from the tensors under measured sparsity.
    const skipped = zeroRows(activity, 'ifmap', fold.m0, fold.m1, fold.k0, fold.k1);
    const skippedOps = skipped * fold.rowsUsed * fold.colsUsed;
    // Time is whole cycles: an expected count of skipped rows is rounded per fold.
    const cycles = c.cycles - Math.round(skipped);
    const counts: FoldCounts = {
      cycles,
      activeOps: c.activeOps,
      // Every operation of an all-zero row was gated; now it is not issued at all.
      gatedOps: c.gatedOps - skippedOps,
      idlePeCycles: plan.array.rows * plan.array.cols * cycles - (c.activeOps + c.gatedOps - skippedOps),
      // The skipped rows are not read; the partial sums of their outputs pass by unchanged.
      sramReads: { ifmap: c.sramReads.ifmap - skipped * fold.rowsUsed, filter: c.sramReads.filter, psum: c.sramReads.psum },
      sramWrites: { ofmap: c.sramWrites.ofmap },
      spadReads: { ifmap: c.spadReads.ifmap, filter: c.spadReads.filter },
      transfers: { ifmap: c.transfers.ifmap - skippedOps, filter: c.transfers.filter, psum: c.transfers.psum - skippedOps },
      metadataReadBits: fold.streamed * this.indexBits,
    };
    this.skippedIn.set(counts, skipped);
    return counts;
  }

  /** The index travels and is stored with the ifmap tile. */
  metadataBits(plan: FoldPlan, fold: Fold, _activity: GemmActivity, gating: GatingRule): number {
    return this.skips(plan, gating) ? fold.streamed * this.indexBits : 0;
  }

  /** The fold's work as SATA's array counts it, and the index: its reads and its decoding, one per streamed row. */
  protected override countActions(job: FoldJob): void {
    super.countActions(job);
    const rows = job.counts.metadataReadBits / this.indexBits;
    if (rows === 0) return;
    this.skippedRows.add(this.skippedIn.get(job.counts) ?? 0);
    this.indexReadBits.add(job.counts.metadataReadBits);
    job.actions.add('indexDecoder', 'compare', this.indexBits, rows);
    job.actions.add('indexDecoder', 'mux', this.indexBits, rows);
  }
}
