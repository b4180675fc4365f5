/** The simulator's version: goes into every trace header and `sata --version`. */
export const SIMULATOR_VERSION = '0.1.0';
