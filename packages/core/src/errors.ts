/**
 * Errors the user can act on. The CLI prints `message` without a stack and exits with
 * `exitCode` (2: bad usage or bad input, as the README documents).
 */
export class SataError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A configuration, parameter or input that cannot be used; names where the problem is. */
export class ConfigError extends SataError {}

/** Misuse of the simulation kernel (scheduling in the past, running twice, ...). */
export class SimulationError extends SataError {}

export function isSataError(e: unknown): e is SataError {
  return e instanceof SataError;
}
