/**
 * NIR networks: `readNirFile` (HDF5 via jsfive) and `importNir` (the graph as layers and
 * weights), `exportNir` and `writeNirFile` (the other way, HDF5 via h5wasm), and the plugin
 * that lets `--network model.nir` work everywhere.
 */
export { readNirFile, MAX_NIR_BYTES, type NirArray, type NirDType, type NirGraph, type NirNode } from './graph.js';
export { importNir, DEFAULT_DT, type ImportOptions } from './import.js';
export { nirFormat, nirPlugin } from './plugin.js';
export { exportNir, NIR_VERSION, type ExportOptions } from './export.js';
export { writeNirFile } from './write.js';
