/**
 * The layer table: every built-in kind, by name. A plugin adds kinds through its `layers`
 * contribution; the resolver takes the table to use (built-ins and the registry's).
 */
import type { LayerKind } from '@sata/plugin-api';
import { addKind } from './add.js';
import { ssaKind } from './attention.js';
import { batchnormKind } from './batchnorm.js';
import { convKind } from './conv.js';
import { fcKind } from './fc.js';
import { ifKind, lifKind } from './lif.js';
import { iKind, liKind } from './li.js';
import { mulKind, tokensumKind } from './mask.js';
import { outKind } from './out.js';
import { avgpoolKind, globalavgpoolKind, maxpoolKind, sumpoolKind } from './pool.js';
import { readoutKind } from './readout.js';
import { scaleKind } from './scale.js';

export const BUILTIN_LAYER_KINDS: readonly LayerKind<any>[] = [
  convKind, fcKind, outKind, readoutKind, batchnormKind, lifKind, ifKind, liKind, iKind, addKind, scaleKind, maxpoolKind, avgpoolKind, sumpoolKind, globalavgpoolKind,
  ssaKind, mulKind, tokensumKind,
];

/** Other names a kind answers to (format 1's `pool` is a 2x2 stride-2 max pooling). */
export const KIND_ALIASES: Readonly<Record<string, string>> = { pool: 'maxpool' };

export type LayerTable = ReadonlyMap<string, LayerKind<any>>;

export function layerTable(extra: readonly LayerKind<any>[] = []): LayerTable {
  return new Map([...BUILTIN_LAYER_KINDS, ...extra].map((k) => [k.name, k]));
}

export const BUILTIN_LAYER_TABLE: LayerTable = layerTable();

export { convKind, convGemms, convGeometry, type ConvAttrs } from './conv.js';
export { fcKind, linearGemms, type LinearAttrs } from './fc.js';
export { outKind } from './out.js';
export { lifKind, ifKind, type LifAttrs } from './lif.js';
export { batchnormKind, type BatchNormAttrs } from './batchnorm.js';
export { addKind } from './add.js';
export { maxpoolKind, avgpoolKind, sumpoolKind, globalavgpoolKind, type PoolAttrs } from './pool.js';
export { liKind, iKind, type LiAttrs } from './li.js';
export { scaleKind, type ScaleAttrs } from './scale.js';
export { readoutKind } from './readout.js';
export { ssaKind, type SsaAttrs } from './attention.js';
export { mulKind, tokensumKind } from './mask.js';
