/**
 * `@sata/training`: one training iteration as events through the hardware model, the
 * system of the SATA paper. `simulateTraining(config, registry)` runs the SNN's BPTT
 * iteration on SATA or the ANN's iteration on the Eyeriss-like baseline and returns a
 * `TrainingResult` (plugin-api's result contract); `compareTraining` gives the two
 * headline figures with the runs behind them.
 */
export { DEFAULT_CONFIG, resolveConfig, architectureFor, hardwareDefaults, type TrainingConfig, type ResolvedConfig, type LayerSparsity } from './config.js';
export { statisticalActivity, measuredActivity, annActivity, propagatedActivity, impliedBy, type ActivitySource, type StepDensities } from './activity.js';
export { snnSchedule, annSchedule, tensorName, tensorClass, PARTITION, TENSOR_CLASSES, type TrainingSchedule } from './schedule.js';
export { simulateTraining, algorithmOf, networkFor, acceleratorFor, dataflowFor, scheduleFor, energyFigures, type TrainingRun, type RunOptions } from './run.js';
export { measure, type Measurement } from './measure.js';
export { buildTimeline, stepAttribution, type TimelineFacts } from './timeline.js';
export { compareTraining, compareAlgorithms, comparisonConfigs, type ComparisonRuns } from './compare.js';
export { replayedActivity, replayedActivityFromFile, writeActivityFromBptt, ACTIVITY_BLOCK, type ActivityTraceLike } from './replayed.js';
