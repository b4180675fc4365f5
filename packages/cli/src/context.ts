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

/** One `sata` command: yargs options in `builder`, parsed (camel-cased) options in `handler`. */
export interface SataCommand<A = any> {
  readonly command: string | readonly string[];
  readonly describe: string;
  builder(y: Argv): Argv<any>;
  handler(argv: A): void | Promise<void>;
}

export type CommandFactory = (ctx: CommandContext) => SataCommand;

export type { Argv };
