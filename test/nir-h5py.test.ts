/**
 * The NIR files `sata network export` writes, read by h5py (the library `nir.read` uses):
 * each re-exported fixture holds the same nodes, node types, edges and values as the file
 * snnTorch wrote. Runs only where a python3 with h5py and numpy is found; skipped (and says
 * why) elsewhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIO } from '@sata/cli';
import { describe, expect, it } from 'vitest';

const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import h5py, numpy'], { stdio: 'ignore' }).status === 0);
if (!python) console.warn('NIR h5py test skipped: no python3 with h5py and numpy (apt-get install python3-h5py)');

// Prints, per file, {node: [type, {field: [shape, values]}]} and the sorted edges, as h5py reads them.
const DUMP = `
import sys, json, h5py, numpy as np
def dump(path):
    with h5py.File(path, "r") as f:
        g = f["node"]
        nodes = {}
        for name, grp in g["nodes"].items():
            fields = {}
            for k in grp.keys():
                v = grp[k][()]
                if k == "type": t = v.decode(); continue
                a = np.asarray(v)
                fields[k] = [list(a.shape), a.astype(np.float64).reshape(-1).tolist()]
            nodes[name] = [t, fields]
        edges = sorted([a.decode(), b.decode()] for a, b in g["edges"][()])
        return {"version": f["version"][()].decode(), "type": g["type"][()].decode(), "nodes": nodes, "edges": edges}
print(json.dumps([dump(p) for p in sys.argv[1:]]))
`;

describe('exported NIR files read by h5py', () => {
  it.skipIf(!python)('re-exported snnTorch fixtures hold the same graph and values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sata-nir-h5py-'));
    for (const name of ['mlp', 'bias', 'cnn-avgpool', 'cnn-strided', 'residual', 'if-neurons']) {
      const src = join(__dirname, '../reference/nir', name, 'model.nir');
      const out = join(dir, `${name}.nir`);
      const io: CliIO = { out: () => {}, err: () => {}, interactive: false };
      expect(await runCli(['network', 'export', src, '-o', out], io)).toBe(0);
      const [a, b] = JSON.parse(execFileSync(python!, ['-c', DUMP, src, out], { encoding: 'utf8' })) as { type: string; nodes: Record<string, [string, Record<string, [number[], number[]]>]>; edges: string[][] }[];
      expect(b!.type).toBe('NIRGraph');
      // A Flatten is no layer here: the export makes a new one, named after the layer it feeds.
      for (const [node, [type]] of Object.entries(a!.nodes)) {
        if (type !== 'Flatten') continue;
        const reader = a!.edges.find(([x]) => x === node)![1]!;
        const renamed = `${reader}_flatten`;
        a!.nodes[renamed] = a!.nodes[node]!;
        delete a!.nodes[node];
        a!.edges = a!.edges.map((e) => e.map((x) => (x === node ? renamed : x)));
      }
      const sorted = (e: string[][]) => e.map((x) => x.join(' -> ')).sort();
      expect(sorted(b!.edges), name).toEqual(sorted(a!.edges));
      expect(Object.keys(b!.nodes).sort(), name).toEqual(Object.keys(a!.nodes).sort());
      for (const [node, [type, fields]] of Object.entries(a!.nodes)) {
        const [btype, bfields] = b!.nodes[node]!;
        expect(btype, `${name} ${node}`).toBe(type);
        for (const [k, [shape, values]] of Object.entries(fields)) {
          const [bshape, bvalues] = bfields[k]!;
          // Scalars the exporter wrote as scalars come back as pairs ([k, k]): the same pooling.
          if (shape.length === 0 && bshape.length === 1) expect(new Set(bvalues), `${name} ${node}.${k}`).toEqual(new Set(values));
          else {
            expect(bshape, `${name} ${node}.${k}`).toEqual(shape);
            bvalues.forEach((v, i) => expect(Math.abs(v - values[i]!), `${name} ${node}.${k}[${i}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(values[i]!))));
          }
        }
      }
    }
  });
});
