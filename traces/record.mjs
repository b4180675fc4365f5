#!/usr/bin/env node
// Re-records the golden traces and their digests (traces/digests.json). Run it on purpose,
// after a change to the simulator's behaviour that the failing golden test showed:
//   npx tsc -b && node traces/record.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../packages/cli/dist/index.js';
import { TraceReader } from '../packages/trace/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = JSON.parse(readFileSync(join(here, 'golden.json'), 'utf8'));
const digests = {};
for (const g of GOLDEN) {
  const path = join(here, g.file);
  const err = [];
  const code = await runCli([...g.args, '--trace', path, '--json'], { out: () => {}, err: (t) => err.push(t), interactive: false });
  if (code !== 0) throw new Error(`${g.file}: sata ${g.args.join(' ')} failed (${code}): ${err.join('')}`);
  const r = TraceReader.open(path);
  for (const _ of r.records());
  digests[g.file] = { records: r.recordsRead, digest: r.footer.digest };
  r.close();
  console.log(`${g.file}: ${digests[g.file].records} records, digest ${digests[g.file].digest}`);
}
writeFileSync(join(here, 'digests.json'), `${JSON.stringify(digests, null, 2)}\n`);
