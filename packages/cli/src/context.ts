import type { Registry } from '@sata/plugin-api';
import type { Argv } from 'yargs';

/** Where a command writes: results to `out` (stdout), progress and diagnostics to `err` (stderr). */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  readonly interactive: boolean;
}

export interface CommandContext {
  readonly io: CliIO;
  /** The registry with every built-in plugin, frozen. */
  registry(): Registry;
}

/** What runs one `sata` command: yargs options in `builder`, parsed (camel-cased) options in `handler`. */
export interface SataCommand<A = any> {
  builder(y: Argv): Argv<any>;
  handler(argv: A): void | Promise<void>;
}

/**
 * One `sata` command as the command list declares it: its name and description (what the
 * top-level `--help` shows) and `load`, which imports its module when the command runs.
 */
export interface CommandEntry {
  readonly command: string;
  readonly describe: string;
  load(): Promise<CommandFactory>;
}

export type CommandFactory = (ctx: CommandContext) => SataCommand;

export type { Argv };
