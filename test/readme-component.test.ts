/**
 * The README's "Adding a component" shows the zero-skipping array plugin's code: it must be
 * the code that ships and that plugins/component-zero-skip/src/index.test.ts runs, so the
 * README's blocks are compared with the plugin's files, and the plugin is run here from
 * the registry the CLI builds.
 */
import { readFileSync } from 'node:fs';
import { builtinRegistry } from '@sata/cli';
import { resolveConfig, simulateTraining } from '@sata/training';
import { registryArchitectures } from '@sata/hw';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8');
const section = (): string => {
  const readme = read('README.md');
  return readme.slice(readme.indexOf('## Adding a component'), readme.indexOf('## Adding a plugin'));
};
const blocks = (lang: string): string[] => [...section().matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

describe("the README's Adding a component", () => {
  it('shows the shipped plugin: the component, its registration and its spec, verbatim', () => {
    const [component, registration] = blocks('ts');
    expect(component).toBe(read('plugins/component-zero-skip/src/zero-skip-array.ts'));
    expect(registration).toBe(read('plugins/component-zero-skip/src/index.ts'));
    expect(blocks('yaml')[0]).toBe(read('plugins/component-zero-skip/arch/sata-zero-skip.yaml'));
  });

  it('runs: the plugin component inside the accelerator from its spec file', () => {
    const registry = builtinRegistry();
    const cfg = resolveConfig({ network: 'digits-cnn', arch: 'sata-zero-skip' }, 'test', registryArchitectures(registry));
    const run = simulateTraining(cfg, registry);
    expect(run.run.accelerator.array.info.type).toBe('zeroskip.PEArray');
    expect((run.run.accelerator.array.stats().get('skippedRows') as { value(): number }).value()).toBeGreaterThan(0);
    const plain = simulateTraining(resolveConfig({ network: 'digits-cnn' }), registry);
    expect(run.result.cycles).toBeLessThan(plain.result.cycles);
  });
});
