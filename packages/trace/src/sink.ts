import { OutputFile, writeOutputFile } from '@sata/core';

/** Where trace bytes go. `write` must consume `bytes` before returning (the caller reuses them). */
export interface ByteSink {
  write(bytes: Uint8Array): void;
  /** The output is complete: make it visible. */
  commit(): void;
  /** Something failed: leave nothing that looks complete. Safe to call more than once. */
  abort(): void;
}

/**
 * Trace bytes into a file: core's OutputFile, which writes a regular file through a
 * temporary file renamed on commit (a reader never sees a partial file under the final
 * name; on abort the temporary is removed) and a device or pipe in place.
 */
export const AtomicFileSink = OutputFile;
export type AtomicFileSink = OutputFile;

/** Keeps the bytes in memory (tests, small traces). */
export class MemorySink implements ByteSink {
  private readonly parts: Buffer[] = [];
  committed = false;
  write(bytes: Uint8Array): void {
    this.parts.push(Buffer.from(bytes));
  }
  commit(): void {
    this.committed = true;
  }
  abort(): void {
    this.parts.length = 0;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Counts bytes and drops them (benchmarks). */
export class CountingSink implements ByteSink {
  bytesWritten = 0;
  write(bytes: Uint8Array): void {
    this.bytesWritten += bytes.length;
  }
  commit(): void {}
  abort(): void {}
}

/** Writes a whole text or byte output atomically (see OutputFile). */
export const writeFileAtomic = writeOutputFile;
