/**
 * Writes a NIR graph as HDF5 with h5wasm (the HDF5 C library compiled to WebAssembly; jsfive,
 * which reads, cannot write). Laid out as `nir.write` lays it out: `/version`, `/node/type`,
 * `/node/edges` (E x 2 strings), `/node/nodes/<name>/{type, <field>...}`, with the earliest
 * file format (superblock 0), as h5py writes by default. The file is written beside the
 * target and renamed over it, so a failure leaves nothing half-written.
 */
import { accessSync, constants, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '@sata/core';
import type { NirArray, NirGraph } from './graph.js';

function dataset(g: { create_dataset(a: { name: string; data: any; shape?: number[] | null; dtype?: string | null }): unknown }, name: string, a: NirArray): void {
  const shape = [...a.shape];
  if (a.dtype === 'string') g.create_dataset({ name, data: a.data.length === 1 && shape.length === 0 ? (a.data[0] as string) : [...(a.data as string[])], shape });
  else if (a.dtype === 'int64') g.create_dataset({ name, data: BigInt64Array.from(a.data as number[], (v) => BigInt(v)), shape, dtype: '<q' });
  else if (a.dtype === 'float64') g.create_dataset({ name, data: Float64Array.from(a.data as number[]), shape, dtype: '<d' });
  else g.create_dataset({ name, data: Float32Array.from(a.data as number[]), shape, dtype: '<f' });
}

/** Checked first: HDF5 does not throw when it cannot create a file, it prints and goes on. */
function checkWritable(path: string): void {
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (e) {
    throw new ConfigError(`cannot write NIR file ${path}: its folder ${dirname(path)} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Absent: it will be created.
  }
  if (isDir) throw new ConfigError(`cannot write NIR file ${path}: it is a folder`);
}

export async function writeNirFile(graph: NirGraph, path: string): Promise<void> {
  checkWritable(path);
  const h5 = (await import('h5wasm/node')).default;
  await h5.ready;
  const tmp = join(dirname(path), `.${Date.now()}-${process.pid}.nir.tmp`);
  try {
    const f = new h5.File(tmp, 'w', { libver: ['earliest', 'latest'] });
    if (!(f.file_id > 0n)) throw new ConfigError(`cannot write NIR file ${path}: HDF5 could not create ${tmp}`);
    try {
      f.create_dataset({ name: 'version', data: graph.version });
      const root = f.create_group('node');
      root.create_dataset({ name: 'type', data: 'NIRGraph' });
      root.create_dataset({ name: 'edges', data: graph.edges.flatMap((e) => [...e]), shape: [graph.edges.length, 2] });
      const nodes = root.create_group('nodes');
      for (const n of graph.nodes) {
        const g = nodes.create_group(n.name);
        g.create_dataset({ name: 'type', data: n.type });
        for (const [k, a] of Object.entries(n.fields)) dataset(g, k, a);
      }
    } finally {
      f.close();
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot write NIR file ${path}: ${(e as Error).message ?? String(e)}`);
  }
}
