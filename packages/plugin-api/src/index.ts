export { definePlugin, CONTRIBUTION_KINDS, type Plugin, type ContributionKind, type ContributionOf } from './plugin.js';
export { Registry, KIND_LABEL, type RegisteredContribution } from './registry.js';
export type { ContributionBase, ComponentContribution, ArchitectureContribution } from './contributions.js';
export { planSystolicGemm, defineSystolicDataflow, type DataflowContribution, type GemmShape, type ArrayShape, type GemmDim, type GemmOperand, type SystolicMapping, type Fold, type FoldTraffic, type FoldPlan, type OperandTile, type PlanHints } from './dataflow.js';
export { defineEnergyTable, priceActions, type EnergyModelContribution, type ActionKey, type EnergyEstimate, type PowerEstimate, type EnergyTableEntry, type LeakageTableEntry, type ActionCount, type PricedAction, type PricedLeakage, type EnergyBreakdown } from './energy.js';
export type { EncoderContribution } from './encoder.js';
export type { NetworkContribution, NetworkSpec, LayerSpec, LayerType, NetworkFileContents, NetworkReadOptions, NetworkFormatContribution } from './network.js';
export { DEFAULT_DT_SECONDS } from './network.js';
export type {
  LayerKind, LayerKindContribution, ResolvedLayer, Shape3, FloatArray, DType, ValueKind, OutputRole, InputInfo, Inferred, ParamDecl, LayerParams, NeuronDefaults,
  ForwardContext, ForwardResult, BackwardContext, BackwardResult, LoweringStage, LoweringPass, TensorRef, LoweredAccess, LoweredGemm, LoweredVector, LoweringBits,
  LoweringContext, OperandMatrix, GemmFacet, ActivationOperand, OperandDensities, NeuronDensities, DensityFacet,
} from './layer-kind.js';
export { stepsLabel } from './layer-kind.js';
export { componentContribution } from './component-contribution.js';
export { STAGES, type Stage, type SparsitySource, type LayerEnergy, type TrainingEnergy, type PlacementFlow, type OpCount, type TimestepFigures, type TrainingResult, type HeadlineFigure, type ComparisonResult, type SweepPoint, type SweepResult, type StepDensities as ResultStepDensities, type LayerDensities, type MeasurementSummary, type KeptState, type KeptBytes, type AlgorithmComparisonResult, TIMELINE_ROLES, type Timeline, type TimelineStep, type TimelineSliceEntry, type TimelineCounterEntry, type TimelineRole } from './result.js';
export type { AlgorithmContribution, AlgorithmInstance, AlgorithmPhase } from './algorithm.js';
export { ActionCounter, type ActionSlot } from './action-counter.js';
