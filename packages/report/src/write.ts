import { writeOutputFile } from '@sata/core';

/**
 * Writes a file atomically: the text goes to a temporary file beside the target, which is
 * then renamed over it, so a reader never sees half a file and a failure leaves no output
 * (a device or pipe such as /dev/stdout is written in place: see core's OutputFile).
 */
export function writeFileAtomic(path: string, text: string): void {
  writeOutputFile(path, text);
}
