export { formatTable, formatNumber, type Cell, type TableOptions } from './table.js';
export { toJson, toCsv } from './json.js';
