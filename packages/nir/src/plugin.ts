import { definePlugin, type NetworkFormatContribution } from '@sata/plugin-api';
import { readNirFile } from './graph.js';
import { importNir } from './import.js';

/** `.nir` files wherever a network is taken: read with their weights. */
export const nirFormat: NetworkFormatContribution = {
  name: 'nir',
  version: '1.0.0',
  description: 'NIR (Neuromorphic Intermediate Representation) files, as snnTorch, SpikingJelly, Norse, Sinabs, Rockpool and Lava export them (HDF5), with their weights',
  extensions: ['.nir'],
  read: (path, options) => importNir(readNirFile(path), path, options.dt !== undefined ? { dt: options.dt } : {}),
};

export const nirPlugin = definePlugin({
  name: 'nir',
  version: '0.1.0',
  description: 'Reads and writes NIR networks',
  networkFormats: [nirFormat],
});
