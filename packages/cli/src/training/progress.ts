import type { Simulator } from '@sata/core';
import type { CliIO } from '../context.js';

/**
 * Progress on stderr: a line per phase, and events simulated so far (redrawn in place on
 * a terminal, every million events otherwise). Nothing goes to stdout, which carries the
 * result.
 */
export function progressReporter(io: CliIO): { message: (m: string) => void; attach: (sim: Simulator) => void; done: () => void } {
  let drawn = false;
  const clear = (): void => {
    if (drawn && io.interactive) io.err('\r\x1b[K');
    drawn = false;
  };
  return {
    message: (m) => {
      clear();
      io.err(m);
    },
    attach: (sim) => {
      sim.observe('progress', (p) => {
        if (io.interactive) {
          process.stderr.write(`\r\x1b[K  ${(p.events / 1e6).toFixed(1)}M events, cycle ${p.time.toLocaleString('en-US')}`);
          drawn = true;
        } else if (p.events % 1_000_000 === 0) io.err(`  ${(p.events / 1e6).toFixed(0)}M events, cycle ${p.time}`);
      });
    },
    done: clear,
  };
}
