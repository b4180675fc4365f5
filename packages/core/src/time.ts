import { SimulationError } from './errors.js';

/** Simulated time: an integer number of ticks (one tick = one accelerator clock cycle by default). */
export type Tick = number;

/**
 * Named priority bands (after SST): at equal time, lower runs first. Clock edges come before
 * message delivery so that a component sees a consistent state on its edge; statistics
 * sampling runs after everything else at that tick.
 */
export const Priority = Object.freeze({
  CLOCK: 40,
  EVENT: 50,
  RETRY: 55,
  STATISTICS: 85,
  FINISH: 95,
} as const);
export type PriorityBand = (typeof Priority)[keyof typeof Priority];

export const MAX_PRIORITY = 255;

export function assertTick(value: number, what: string): Tick {
  if (!Number.isSafeInteger(value)) {
    throw new SimulationError(`${what} must be a safe integer number of ticks, got ${String(value)}`);
  }
  return value;
}
