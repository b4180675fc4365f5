export { denseActivity, densityActivity, tensorActivity, zeroRows, type GatingRule, type GemmActivity, type GemmBlock, type Matrix } from './activity.js';
export { convOutputSize, convForwardGemm, im2col, type ConvShape } from './conv.js';
export { foldCounts, gemmFoldCounts, emptyFoldCounts, addFoldCounts, type FoldCounts } from './fold-counts.js';
export { runCycleLevel, cycleLevelSize, CYCLE_LEVEL_MAX_PE_STEPS, type CycleLevelResult } from './cycle-level.js';
export { ActionCounter, type ActionSlot } from '@sata/plugin-api';
export { Ledger, Route, emptyDramTraffic, type Flow, type MemoryLevel, type Endpoint, type DramTraffic, type DramRole } from './ledger.js';
export { Requester } from './requester.js';
export { ROLE_MEMBERS, ROLE_PORTS, type ArrayUnit, type BufferPartition, type DramChannel, type ScratchpadBank } from './roles.js';
export { PEArray, peArrayInfo, type FoldJob } from './components/pe-array.js';
export { Scratchpad, scratchpadInfo, GlobalBuffer, globalBufferInfo, Dram, dramInfo, type TileTraffic, type DramRequest } from './components/memory.js';
export { LifUnit, lifUnitInfo, GradientUnit, gradientUnitInfo, SpikeEncoder, spikeEncoderInfo, VectorArithmeticUnit, vectorUnitInfo, type VectorJob } from './components/units.js';
export { Controller, controllerInfo, type StepResult, type ControllerParts } from './components/controller.js';
export { AcceleratorRoot, acceleratorInfo } from './components/root.js';
export type { GemmStep, VectorStep, ScheduleStep, PerOperand, TensorAccess, StepAttribution } from './schedule.js';
export {
  ROLES, BUILTIN_ARCHITECTURES, builtinArchitecture, builtinArchitectureLookup, registryArchitectures, resolveArchitecture, readArchFile, parseArchDocument, isArchFile, componentsOf, componentOf, withParams,
  type ArchSpec, type ComponentSpec, type LinkSpec, type Role, type ArchitectureLookup,
} from './arch/spec.js';
export { buildAccelerator, runSchedule, hwRegistry, type Accelerator, type ScheduleResult } from './accelerator.js';
export { priceRun, acceleratorEnergyModel, isComputeComponent, type CountedStep, type StepEnergy, type PricedRun } from './pricing.js';
export { simulateLayer, DEFAULT_BITS, DEFAULT_BUFFERS, type LayerRequest, type LayerReport } from './layer.js';
export { hwPlugin } from './plugin.js';
