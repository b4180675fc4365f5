import { boundedBufferRunKind, RunKindRegistry } from '@sata/trace';

/**
 * The runs `sata replay` can rebuild from a trace header: one line per recordable command
 * (`simulate`, `compare`, `layer` and `train` add theirs here).
 */
export function builtinRunKinds(): RunKindRegistry {
  return new RunKindRegistry([boundedBufferRunKind]);
}
