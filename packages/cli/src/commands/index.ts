import type { CommandFactory } from '../context.js';
import { archCommand } from './arch.js';
import { compareCommand } from './compare.js';
import { exampleCommand } from './example.js';
import { layerCommand } from './layer.js';
import { networkCommand } from './network.js';
import { pluginsCommand } from './plugins.js';
import { referenceCommand } from './reference.js';
import { simulateCommand } from './simulate.js';
import { reportCommand } from './report.js';
import { replayCommand } from './replay.js';
import { sweepCommand } from './sweep.js';
import { traceCommand } from './trace.js';
import { trainCommand } from './train.js';

/** Every `sata` command, in the order `--help` lists them. Add one line per new command. */
export const COMMANDS: readonly CommandFactory[] = [
  simulateCommand,
  compareCommand,
  pluginsCommand,
  archCommand,
  exampleCommand,
  layerCommand,
  networkCommand,
  referenceCommand,
  trainCommand,
  traceCommand,
  replayCommand,
  sweepCommand,
  reportCommand,
];
