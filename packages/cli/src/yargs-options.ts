import type { Argv } from 'yargs';

/** What yargs knows of the options declared so far (`getOptions` is public in yargs but not in its types). */
export interface DeclaredOptions {
  readonly key: Record<string, unknown>;
  readonly array: readonly string[];
  readonly alias: Record<string, readonly string[]>;
}

export function declaredOptions(y: Argv): DeclaredOptions {
  return (y as unknown as { getOptions(): DeclaredOptions }).getOptions();
}

/**
 * Declares options with `declare` that apply to this command only, not to its subcommands
 * (yargs makes options global by default: `sata sweep merge` would list every sweep option).
 */
export function localOptions(y: Argv, declare: (y: Argv) => Argv<any>): Argv<any> {
  const before = new Set(Object.keys(declaredOptions(y).key));
  const after = declare(y);
  const local = Object.keys(declaredOptions(after).key).filter((k) => !before.has(k));
  // `global(keys, false)` is documented yargs; its types declare only the one-argument form.
  return (after as unknown as { global(keys: string[], global: boolean): Argv<any> }).global(local, false);
}
