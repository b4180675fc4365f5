export { definePlugin, CONTRIBUTION_KINDS, type Plugin, type ContributionKind, type ContributionOf } from './plugin.js';
export { Registry, type RegisteredContribution } from './registry.js';
export type { ContributionBase, ComponentContribution } from './contributions.js';
export type { DataflowContribution, GemmShape, ArrayShape } from './dataflow.js';
export type { EnergyModelContribution, ActionKey, EnergyEstimate } from './energy.js';
export type { EncoderContribution } from './encoder.js';
export type { NetworkContribution, NetworkSpec, LayerSpec } from './network.js';
export { componentContribution } from './component-contribution.js';
