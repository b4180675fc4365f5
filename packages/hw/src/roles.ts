/**
 * The small interfaces the controller drives its parts through, one per role of an
 * architecture spec. Timed work goes over ports (folds to the array, vectors to the units,
 * bursts to DRAM); what these interfaces add is the untimed side (geometry, capacities,
 * what a buffer holds). A plugin's class takes a role by offering these members; building
 * an accelerator checks that it does.
 */
import type { Component } from '@sata/core';
import type { ActionCounter, Fold, FoldPlan } from '@sata/plugin-api';
import type { GatingRule, GemmActivity, Matrix } from './activity.js';
import type { TileTraffic } from './components/memory.js';
import type { FoldCounts } from './fold-counts.js';
import type { MemoryLevel } from './ledger.js';

/** The PE array (port `ctrl`: FoldJob in, the same job back when the fold is done). */
export interface ArrayUnit extends Component {
  readonly shape: { readonly rows: number; readonly cols: number };
  /** Called once per GEMM before its folds. */
  prepare(plan: FoldPlan, operands: { ifmap: Matrix; filter: Matrix } | undefined, gating: GatingRule): void;
  /** What a fold does: cycles, operations, SRAM traffic at the array's edges. */
  countFold(plan: FoldPlan, fold: Fold, activity: GemmActivity, gating: GatingRule): FoldCounts;
  drainCycles(plan: FoldPlan): number;
  /** Bits the fold's streamed operand tile carries besides its elements (an index of skipped rows); default none. */
  metadataBits?(plan: FoldPlan, fold: Fold, activity: GemmActivity, gating: GatingRule): number;
}

/** A global-buffer partition: capacity, bandwidth, and what it holds (tiles by LRU, pinned tensors). */
export interface BufferPartition extends Component, MemoryLevel {
  readonly partition: string;
  /** Bits of resident tiles. */
  readonly usedBits: number;
  /** Bits read and written so far (a timeline's per-step traffic). */
  readonly bitsMoved: { readonly read: number; readonly written: number };
  readonly doubleBuffered: boolean;
  readonly bandwidthBitsPerCycle: number;
  readonly usableBits: number;
  readonly pinnedTotalBits: number;
  tensor(name: string): number;
  acquire(tensor: number, tile: number, bits: number, pinnedAs?: number): TileTraffic;
  accumulate(tensor: number, tile: number, bits: number, final: boolean, pinnedAs?: number): TileTraffic;
  pin(tensorName: string, bits: number, part?: boolean): { pinned: boolean; spillBits: number };
  isPinned(tensorName: string): boolean;
  unpin(tensorName: string): void;
}

/** A DRAM channel (port `req`: DramRequest in, replies as the request says). */
export interface DramChannel extends Component, MemoryLevel {
  readonly capacityBytes: number;
  /** When the last burst booked starts and ends transferring (a timeline's DRAM lane). */
  readonly lastBurstStartTick: number;
  readonly lastBurstEndTick: number;
}

/** The scratchpads of one operand in every PE. */
export interface ScratchpadBank extends Component {
  checkFits(bits: number): void;
  read(count: number, bits: number, operand: string, actions: ActionCounter): void;
}

/** The members a component of each role must have (checked when the accelerator is built). */
export const ROLE_MEMBERS = {
  controller: ['submit', 'stepResults'],
  array: ['shape', 'prepare', 'countFold', 'drainCycles'],
  'scratchpad.ifmap': ['checkFits', 'read'],
  'scratchpad.filter': ['checkFits', 'read'],
  buffer: ['partition', 'level', 'actionClass', 'countAccess', 'doubleBuffered', 'bandwidthBitsPerCycle', 'usableBits', 'pinnedTotalBits', 'usedBits', 'bitsMoved', 'tensor', 'acquire', 'accumulate', 'pin', 'isPinned', 'unpin'],
  dram: ['level', 'actionClass', 'countAccess', 'capacityBytes', 'lastBurstStartTick', 'lastBurstEndTick'],
  lif: [],
  gradient: [],
  encoder: [],
  vector: [],
} as const;

/** The ports a component of each role must have. */
export const ROLE_PORTS = {
  controller: ['array', 'dram', 'lif', 'gradient', 'encoder', 'vector'],
  array: ['ctrl'],
  'scratchpad.ifmap': [],
  'scratchpad.filter': [],
  buffer: [],
  dram: ['req'],
  lif: ['ctrl'],
  gradient: ['ctrl'],
  encoder: ['ctrl'],
  vector: ['ctrl'],
} as const;
