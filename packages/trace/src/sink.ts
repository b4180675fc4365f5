import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '@sata/core';

/** Where trace bytes go. `write` must consume `bytes` before returning (the caller reuses them). */
export interface ByteSink {
  write(bytes: Uint8Array): void;
  /** The output is complete: make it visible. */
  commit(): void;
  /** Something failed: leave nothing that looks complete. Safe to call more than once. */
  abort(): void;
}

let tempCounter = 0;

/**
 * Writes to a temporary file beside `path` and renames it onto `path` on commit, so a
 * reader never sees a partial file under the final name; on abort the temporary is removed.
 */
export class AtomicFileSink implements ByteSink {
  readonly tempPath: string;
  private fd: number | undefined;
  private state: 'open' | 'committed' | 'aborted' = 'open';
  bytesWritten = 0;

  constructor(readonly path: string) {
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
    try {
      this.fd = openSync(this.tempPath, 'wx');
    } catch (e) {
      throw new ConfigError(`cannot write ${path}: ${(e as Error).message}`);
    }
  }

  write(bytes: Uint8Array): void {
    if (this.state !== 'open') throw new Error(`write to ${this.path} after it was ${this.state}`);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd!, bytes, off, bytes.length - off);
    this.bytesWritten += bytes.length;
  }

  commit(): void {
    if (this.state !== 'open') throw new Error(`commit of ${this.path} after it was ${this.state}`);
    fsyncSync(this.fd!);
    closeSync(this.fd!);
    this.fd = undefined;
    renameSync(this.tempPath, this.path);
    this.state = 'committed';
  }

  abort(): void {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    try {
      unlinkSync(this.tempPath);
    } catch {
      // already gone
    }
  }
}

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

/** Writes a whole text or byte output atomically (temporary file and rename). */
export function writeFileAtomic(path: string, produce: (write: (chunk: string | Uint8Array) => void) => void): void {
  const sink = new AtomicFileSink(path);
  try {
    produce((chunk) => sink.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk));
    sink.commit();
  } catch (e) {
    sink.abort();
    throw e;
  }
}
