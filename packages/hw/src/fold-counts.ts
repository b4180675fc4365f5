import type { Fold, FoldPlan } from '@sata/plugin-api';
import type { GatingRule, GemmActivity } from './activity.js';

/**
 * What one fold does, counted per action class of the array: PE operations (active or
 * gated), idle PE-cycles, SRAM traffic at the array's edges, scratchpad reads in the PEs
 * and operand transfers into PEs (the array network). The cycle-level model counts the
 * same fields clock by clock; the fold-level model derives them in closed form.
 */
export interface FoldCounts {
  cycles: number;
  activeOps: number;
  gatedOps: number;
  idlePeCycles: number;
  sramReads: { ifmap: number; filter: number; psum: number };
  sramWrites: { ofmap: number };
  /** Operand reads from the PE scratchpads: one per active operation and operand. */
  spadReads: { ifmap: number; filter: number };
  /** Values arriving in mapped PEs: streamed operands at every PE they cross, stationary ones while shifting in, partial sums down the columns. */
  transfers: { ifmap: number; filter: number; psum: number };
  /** Bits of metadata the array reads from the ifmap's partition besides the operands (a skipping array's row index); 0 for SATA's array. */
  metadataReadBits: number;
}

/**
 * Zero counts. The sums are floating point (statistical activity gives expected, fractional
 * counts), so every field is created holding a fraction and then set to 0: V8 then keeps
 * the fields as unboxed doubles from the first object on. Created holding the small
 * integer 0, the fields change representation on the first fractional add, stay generic,
 * and every later add allocates (repeated VGG16 runs took 2x as long).
 */
export function emptyFoldCounts(): FoldCounts {
  const h = 0.5;
  const c: FoldCounts = {
    cycles: h, activeOps: h, gatedOps: h, idlePeCycles: h,
    sramReads: { ifmap: h, filter: h, psum: h }, sramWrites: { ofmap: h },
    spadReads: { ifmap: h, filter: h }, transfers: { ifmap: h, filter: h, psum: h }, metadataReadBits: h,
  };
  c.cycles = c.activeOps = c.gatedOps = c.idlePeCycles = c.metadataReadBits = 0;
  c.sramReads.ifmap = c.sramReads.filter = c.sramReads.psum = 0;
  c.sramWrites.ofmap = 0;
  c.spadReads.ifmap = c.spadReads.filter = 0;
  c.transfers.ifmap = c.transfers.filter = c.transfers.psum = 0;
  return c;
}

export function addFoldCounts(into: FoldCounts, c: FoldCounts): FoldCounts {
  into.cycles += c.cycles;
  into.activeOps += c.activeOps;
  into.gatedOps += c.gatedOps;
  into.idlePeCycles += c.idlePeCycles;
  into.sramReads.ifmap += c.sramReads.ifmap;
  into.sramReads.filter += c.sramReads.filter;
  into.sramReads.psum += c.sramReads.psum;
  into.sramWrites.ofmap += c.sramWrites.ofmap;
  into.spadReads.ifmap += c.spadReads.ifmap;
  into.spadReads.filter += c.spadReads.filter;
  into.transfers.ifmap += c.transfers.ifmap;
  into.transfers.filter += c.transfers.filter;
  into.transfers.psum += c.transfers.psum;
  into.metadataReadBits += c.metadataReadBits;
  return into;
}

/**
 * The fold-level (transaction) model of one fold: cycles and SRAM traffic from the
 * dataflow's plan, operations from the activity, the rest in closed form from the
 * geometry (why each holds is what the cycle-level model shows).
 */
export function foldCounts(plan: FoldPlan, fold: Fold, activity: GemmActivity, gating: GatingRule): FoldCounts {
  const { rows: R, cols: C } = plan.array;
  const mapped = fold.rowsUsed * fold.colsUsed;
  const ops = mapped * fold.streamed;
  const active = activity.activeOps(fold, gating);
  const outputStationary = plan.mapping.time === 'K';
  // The stationary input (if any) shifts down the columns: the value for row i crosses i + 1 mapped PEs.
  const stationaryTransfers = (fold.colsUsed * fold.rowsUsed * (fold.rowsUsed + 1)) / 2;
  const stationary = outputStationary ? undefined : plan.mapping.time === 'M' ? 'filter' : 'ifmap';
  // Literals of one fixed shape (no spreads): these objects are created per fold and summed
  // per step, so their property layout must stay monomorphic.
  return {
    cycles: fold.cycles,
    activeOps: active,
    gatedOps: ops - active,
    idlePeCycles: R * C * fold.cycles - ops,
    sramReads: { ifmap: fold.sramReads.ifmap, filter: fold.sramReads.filter, psum: fold.sramReads.psum },
    sramWrites: { ofmap: fold.sramWrites.ofmap },
    spadReads: { ifmap: active, filter: active },
    transfers: {
      ifmap: stationary === 'ifmap' ? stationaryTransfers : ops,
      filter: stationary === 'filter' ? stationaryTransfers : ops,
      psum: outputStationary ? 0 : ops,
    },
    metadataReadBits: 0,
  };
}

/** The fold-level counts of a whole GEMM, fold by fold. */
export function gemmFoldCounts(plan: FoldPlan, activity: GemmActivity, gating: GatingRule): { total: FoldCounts; perFold: FoldCounts[] } {
  const total = emptyFoldCounts();
  const perFold: FoldCounts[] = [];
  for (let i = 0; i < plan.folds; i++) {
    const c = foldCounts(plan, plan.fold(i), activity, gating);
    perFold.push(c);
    addFoldCounts(total, c);
  }
  return { total, perFold };
}
