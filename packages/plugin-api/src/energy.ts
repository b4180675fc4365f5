import type { ContributionBase } from './contributions.js';

/** What the simulator counts: an action of a component class at a bit width (as Accelergy does). */
export interface ActionKey {
  /** Component class, e.g. `pe`, `globalBuffer.membrane`, `dram`. */
  readonly component: string;
  /** Action, e.g. `mac`, `and_accumulate`, `read`, `write`. */
  readonly action: string;
  readonly bits: number;
}

/** An energy figure and where it came from (paper, table, estimator). */
export interface EnergyEstimate {
  readonly picojoules: number;
  readonly source: string;
}

/** Prices action counts; never counts anything itself, so it can re-cost a recorded run. */
export interface EnergyModelContribution extends ContributionBase {
  /** Energy of one action, or undefined when this model has no figure for it. */
  energyPerAction(key: ActionKey): EnergyEstimate | undefined;
  /** Static energy per cycle of a component class, or undefined. */
  leakagePerCycle?(component: string): EnergyEstimate | undefined;
}
