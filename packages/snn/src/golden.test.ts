import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGoldenFile } from './golden.js';

const GOLDEN = join(__dirname, '../../../../shared/reference/golden');
const files = existsSync(GOLDEN) ? readdirSync(GOLDEN).filter((f) => f.endsWith('.json')) : [];

describe('golden files', () => {
  it.skipIf(files.length > 0)('skipped: ../shared/reference/golden is not present in this checkout', () => {});
  for (const f of files) {
    it(`${f} matches to 1e-9`, () => {
      const r = checkGoldenFile(join(GOLDEN, f));
      for (const q of r.quantities) console.log(f, q.quantity, q.layer, q.maxRelError, q.maxAbsError, q.zeroMismatches, q.mismatches);
      expect(r.quantities.filter((q) => !q.pass)).toEqual([]);
    });
  }
});
