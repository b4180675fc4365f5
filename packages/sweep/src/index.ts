export { parseParam, parseValue, planPoints, parseShard, shardFromJobArray, shardPoints, formatIndexes, MAX_POINTS, type ParamValue, type SweptParam, type SweepMode, type PlannedPoint, type Shard } from './params.js';
export { coerceParam, deriveOne, typedPoints, type BaseConfig } from './derive.js';
export { registerRunner, getRunner, runnerNames, distModuleUrl, type RunnerSpec, type RunnerFunction, type PointResult } from './runners.js';
export { runTasks, defaultJobs, PointError, type PoolTask, type TaskMessage, type ReplyMessage } from './pool.js';
export { planSweep, runSweep, pointLabel, type SweepOptions, type SweepPlan } from './sweep.js';
export { mergeShards, type ShardInput } from './merge.js';
export { ProgressBar } from './progress.js';
export { runStandIn, runStandInCompare, resolveStandInConfig, STAND_IN_DEFAULTS, type StandInConfig } from './stand-in.js';
