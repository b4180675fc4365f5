import type { Component, ComponentInfo, Simulator } from '@sata/core';

/**
 * Contribution points. Every contribution has a name unique within its kind, a version and
 * a description. The concrete shapes of dataflows, energy models, encoders and networks are
 * in their own modules so that the packages implementing them can refine them.
 */
export interface ContributionBase {
  readonly name: string;
  readonly version: string;
  readonly description: string;
}

/** A component type: its self-description and a factory. `name` is the type, `library.name`. */
export interface ComponentContribution extends ContributionBase {
  readonly info: ComponentInfo;
  create(parent: Simulator | Component, localName: string, params?: Readonly<Record<string, unknown>>): Component;
}

/**
 * An architecture spec (packages/hw/arch/README.md): the accelerator's components (name,
 * registered class, role, parameters) and the links between them. `document` is the parsed
 * YAML/JSON file; the hardware package validates it when it builds the accelerator.
 */
export interface ArchitectureContribution extends ContributionBase {
  readonly document: Readonly<Record<string, unknown>>;
  /** Where the document came from (a file path), named in errors. */
  readonly source: string;
}

export type { DataflowContribution } from './dataflow.js';
export type { EnergyModelContribution } from './energy.js';
export type { EncoderContribution } from './encoder.js';
export type { NetworkContribution } from './network.js';
