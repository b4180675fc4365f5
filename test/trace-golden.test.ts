/**
 * Golden traces (traces/): each is replayed from its header and compared byte for byte, and
 * its digest must be the one in traces/digests.json. A failure means the simulator's
 * behaviour changed: if that was intended, re-record them (traces/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinRegistry } from '@sata/cli';
import { TraceReader, verifyTrace } from '@sata/trace';
import { describe, expect, it } from 'vitest';
import { builtinRunKinds } from '../packages/cli/src/run-kinds.js';

const dir = join(__dirname, '..', 'traces');
const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Array<{ file: string; args: string[] }>;
const digests = JSON.parse(readFileSync(join(dir, 'digests.json'), 'utf8')) as Record<string, { records: number; digest: string }>;
const RERECORD = 'the simulator behaves differently from when this golden trace was recorded; if the change is intended, re-record: npx tsc -b && node traces/record.mjs (see traces/README.md)';

describe('golden traces', () => {
  for (const g of golden) {
    it(`${g.file} (sata ${g.args.join(' ')}) replays identically`, () => {
      const path = join(dir, g.file);
      const r = TraceReader.open(path);
      for (const _ of r.records());
      const footer = r.footer!;
      r.close();
      expect(digests[g.file], `${g.file} has no entry in traces/digests.json`).toBeDefined();
      expect({ records: r.recordsRead, digest: footer.digest }).toEqual(digests[g.file]);
      const reg = builtinRegistry();
      const v = verifyTrace(path, builtinRunKinds(reg), reg.pluginList());
      expect(v.ok, `${g.file}: ${v.divergence?.message ?? ''}: ${RERECORD}`).toBe(true);
    });
  }
});
