import type { CommandFactory } from '../context.js';
import { exampleCommand } from './example.js';
import { pluginsCommand } from './plugins.js';
import { referenceCommand } from './reference.js';
import { replayCommand } from './replay.js';
import { traceCommand } from './trace.js';
import { trainCommand } from './train.js';

/** Every `sata` command, in the order `--help` lists them. Add one line per new command. */
export const COMMANDS: readonly CommandFactory[] = [
  pluginsCommand,
  exampleCommand,
  referenceCommand,
  trainCommand,
  traceCommand,
  replayCommand,
];
