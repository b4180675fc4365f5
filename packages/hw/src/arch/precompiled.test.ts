import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { precompiledDocument } from './precompiled.js';
import { parseArchDocument } from './spec.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Every spec file a workspace ships (what scripts/compile-arch-specs.mjs compiles). */
function shippedSpecs(): string[] {
  const files: string[] = [];
  for (const ws of ['packages', 'plugins']) {
    for (const pkg of readdirSync(join(ROOT, ws))) {
      let names: string[] = [];
      try {
        names = readdirSync(join(ROOT, ws, pkg, 'arch'));
      } catch {
        continue;
      }
      for (const n of names) if (/\.ya?ml$/.test(n)) files.push(join(ROOT, ws, pkg, 'arch', n));
    }
  }
  return files.sort();
}

describe('precompiled spec documents', () => {
  it('hold every shipped spec file as its YAML parses (build first: npm run build)', () => {
    const files = shippedSpecs();
    expect(files.map((f) => f.slice(ROOT.length))).toEqual(['packages/hw/arch/eyeriss.yaml', 'packages/hw/arch/sata.yaml', 'plugins/component-zero-skip/arch/sata-zero-skip.yaml']);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const doc = precompiledDocument(text);
      expect(doc, `${f} is not precompiled: run npm run build`).toBeDefined();
      expect(doc).toEqual(parseDocument(text, f));
    }
  });

  it('are keyed by the exact text: an edited file is parsed, never served the old document', () => {
    const sata = readFileSync(join(ROOT, 'packages/hw/arch/sata.yaml'), 'utf8');
    const edited = sata.replace('clockMHz: 400', 'clockMHz: 250');
    expect(edited).not.toBe(sata);
    expect(precompiledDocument(edited)).toBeUndefined();
    expect(parseArchDocument(edited, 'edited.yaml').clockMHz).toBe(250);
    expect(parseArchDocument(sata, 'sata.yaml').clockMHz).toBe(400);
  });

  it('give each caller its own document', () => {
    const sata = readFileSync(join(ROOT, 'packages/hw/arch/sata.yaml'), 'utf8');
    const a = parseArchDocument(sata, 'sata.yaml');
    a.clockMHz = 1;
    expect(parseArchDocument(sata, 'sata.yaml').clockMHz).toBe(400);
  });
});
