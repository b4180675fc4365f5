export { formatTable, formatNumber, type Cell, type TableOptions } from './table.js';
export { toJson, toCsv } from './json.js';
export { validateResult, parseResult, type ResultDocument } from './validate.js';
export { resultMetrics, sweepRows, sweepToCsv } from './metrics.js';
export { renderReport, loadReportInputs, type ReportInput, type ReportOptions } from './html.js';
export { timelineSvg, timelineViews, energyOverTime, type TimelineView } from './timeline-svg.js';
export { barChart, lineChart, esc, niceTicks, scaleUnit, energyUnit, bitsUnit, PALETTE, type BarChartSpec, type LineChartSpec, type Series, type LineSeries } from './svg.js';
export { writeFileAtomic } from './write.js';
export { formatTrainingResult, formatComparison, formatAlgorithmComparison, formatEnergy, energyLines, drainRows, DRAIN_LINE } from './text.js';
