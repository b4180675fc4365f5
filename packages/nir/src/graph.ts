/**
 * A NIR file as data: the graph's nodes with their typed parameter arrays and its edges
 * (FORMAT.md in reference/nir). Reading goes through jsfive, a pure-JavaScript HDF5
 * reader: synchronous, as every command resolves its network synchronously, and it
 * inflates the gzip-compressed datasets `nir.write` produces. Anything the file does not
 * hold as NIR lays it out is a ConfigError naming the file and the node.
 */
import { createRequire } from 'node:module';
import { ConfigError, readInputFile } from '@sata/core';
import type { Dataset, File, Group } from 'jsfive';

type Jsfive = typeof import('jsfive');
let jsfiveModule: Jsfive | undefined;

/** The HDF5 reader, loaded when a NIR file is read: other commands need none of its 6 MB. */
function jsfive(): Jsfive {
  return (jsfiveModule ??= createRequire(import.meta.url)('jsfive') as Jsfive);
}

export type NirDType = 'float32' | 'float64' | 'int64' | 'string';

/** One dataset: row-major values and their shape ([] for a scalar). */
export interface NirArray {
  readonly dtype: NirDType;
  readonly shape: readonly number[];
  readonly data: readonly number[] | readonly string[];
}

export interface NirNode {
  readonly name: string;
  readonly type: string;
  /** Every dataset of the node's group but `type`. */
  readonly fields: Readonly<Record<string, NirArray>>;
}

export interface NirGraph {
  readonly version: string;
  readonly nodes: readonly NirNode[];
  /** [source, target] pairs, in the file's (arbitrary) order. */
  readonly edges: readonly (readonly [string, string])[];
}

/** Larger files are refused before they are read into memory (the largest fixture is 110 KB). */
export const MAX_NIR_BYTES = 512 * 1024 * 1024;

function dtypeOf(d: Dataset, where: string): NirDType {
  const t = d.dtype;
  if (Array.isArray(t)) {
    if (t[0] === 'VLEN_STRING') return 'string';
    throw new ConfigError(`${where}: unsupported HDF5 datatype ${JSON.stringify(t)}`);
  }
  if (typeof t === 'string') {
    if (/^[<>|]?f4$/.test(t)) return 'float32';
    if (/^[<>|]?f8$/.test(t)) return 'float64';
    if (/^[<>|]?[iu][1248]$/.test(t)) return 'int64';
    if (/^S\d+$/.test(t)) return 'string';
  }
  throw new ConfigError(`${where}: unsupported HDF5 datatype ${JSON.stringify(t)}`);
}

function arrayOf(d: Dataset, where: string): NirArray {
  const dtype = dtypeOf(d, where);
  const shape = d.shape ?? [];
  const raw = d.value;
  if (!Array.isArray(raw) && !ArrayBuffer.isView(raw)) throw new ConfigError(`${where}: dataset holds no values`);
  const values = Array.from(raw as ArrayLike<unknown>);
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new ConfigError(`${where}: dataset of shape [${shape.join(', ')}] holds ${values.length} values`);
  if (dtype === 'string') return { dtype, shape, data: values.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v))) };
  const data = values.map((v) => (typeof v === 'bigint' ? Number(v) : (v as number)));
  if (!data.every((v) => typeof v === 'number')) throw new ConfigError(`${where}: dataset holds values that are not numbers`);
  return { dtype, shape, data };
}

function child(g: Group, key: string, where: string): Group | Dataset {
  if (!g.keys.includes(key)) throw new ConfigError(`${where}: missing "${key}" (found: ${g.keys.join(', ') || 'nothing'})`);
  return g.get(key);
}

function group(g: Group, key: string, where: string): Group {
  const c = child(g, key, where);
  if (!(c instanceof jsfive().Group)) throw new ConfigError(`${where}: "${key}" must be a group`);
  return c;
}

function scalarString(g: Group, key: string, where: string): string {
  const c = child(g, key, where);
  if (!(c instanceof jsfive().Dataset)) throw new ConfigError(`${where}: "${key}" must be a dataset`);
  const a = arrayOf(c, `${where}/${key}`);
  if (a.dtype !== 'string' || a.data.length !== 1) throw new ConfigError(`${where}/${key}: expected one string`);
  return a.data[0] as string;
}

function readNode(nodesGroup: Group, name: string, where: string): NirNode {
  const w = `${where}: node "${name}"`;
  const g = group(nodesGroup, name, w);
  const nodeType = scalarString(g, 'type', w);
  if (nodeType === 'NIRGraph') throw new ConfigError(`${w}: a nested NIRGraph (subgraph) is not supported; flatten the graph before writing it`);
  const fields: Record<string, NirArray> = {};
  for (const k of g.keys) {
    if (k === 'type') continue;
    const d = g.get(k);
    if (!(d instanceof jsfive().Dataset)) throw new ConfigError(`${w}: "${k}" is a group, expected a dataset`);
    fields[k] = arrayOf(d, `${w}: field ${k}`);
  }
  return { name, type: nodeType, fields };
}

function readGraph(file: File, path: string): NirGraph {
  const version = scalarString(file, 'version', path);
  const root = group(file, 'node', path);
  const where = `${path}: /node`;
  const type = scalarString(root, 'type', where);
  if (type !== 'NIRGraph') throw new ConfigError(`${where}: type is "${type}", expected "NIRGraph"`);
  const nodesGroup = group(root, 'nodes', where);
  const nodes = nodesGroup.keys.map((name): NirNode => {
    try {
      return readNode(nodesGroup, name, path);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`${path}: node "${name}": damaged HDF5 data (${e instanceof Error ? e.message : String(e)})`);
    }
  });
  const e = child(root, 'edges', where);
  if (!(e instanceof jsfive().Dataset)) throw new ConfigError(`${where}: "edges" must be a dataset`);
  const edges = arrayOf(e, `${where}/edges`);
  const empty = edges.shape.length === 1 && edges.shape[0] === 0;
  if (!empty && (edges.dtype !== 'string' || edges.shape.length !== 2 || edges.shape[1] !== 2)) throw new ConfigError(`${where}/edges: expected an (E, 2) dataset of node names, found ${edges.dtype} [${edges.shape.join(', ')}]`);
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < edges.data.length; i += 2) pairs.push([edges.data[i] as string, edges.data[i + 1] as string]);
  return { version, nodes, edges: pairs };
}

/** Reads a .nir file; a truncated, corrupted or foreign file is a ConfigError naming it. */
export function readNirFile(path: string): NirGraph {
  const bytes = readInputFile(path, 'NIR file', MAX_NIR_BYTES);
  const signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || !signature.every((b, i) => bytes[i] === b)) throw new ConfigError(`${path}: not an HDF5 file (a NIR file is HDF5; its first 8 bytes are not the HDF5 signature)`);
  try {
    const file = new (jsfive().File)(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, path);
    return readGraph(file, path);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    // jsfive throws RangeErrors (reads past the end) and plain strings on damaged structures.
    const why = e instanceof Error ? e.message : String(e);
    throw new ConfigError(`${path}: damaged or truncated HDF5 file (${why})`);
  }
}
