import { accessSync, closeSync, constants, fstatSync, fsyncSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from './errors.js';

/**
 * Every file the simulator reads or writes goes through here, so that a hostile or mistaken
 * path (a device, a directory, a missing folder, a file of gigabytes) gets the same clear
 * error everywhere, before anything is allocated or computed.
 */

const MiB = 1 << 20;

/** The largest document (configuration, network, profile, golden file, result) read: 256 MiB. */
export const MAX_DOCUMENT_BYTES = 256 * MiB;

const STREAM_CHUNK_BYTES = 1 * MiB;

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return err.code ?? err.message ?? String(e);
  }
}

function fail(what: string, path: string, problem: string): never {
  throw new ConfigError(`${what} ${path}: ${problem}`);
}

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(bytes < MiB ? 3 : 0)} MiB`;

/**
 * Reads a whole input of at most `maxBytes`. A regular file is refused from its size alone;
 * anything else (`/dev/stdin`, a pipe from `<(...)`, a device) is read as a stream and
 * refused as soon as it passes the cap, so `/dev/zero` costs `maxBytes`, not the machine.
 * `what` names the input in messages ("configuration file").
 */
export function readInputFile(path: string, what: string, maxBytes = MAX_DOCUMENT_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return fail(what, path, `cannot read: ${reason(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) fail(what, path, 'cannot read: is a directory, not a file');
    if (st.isFile()) {
      if (st.size > maxBytes) fail(what, path, `${st.size} bytes, more than the ${mib(maxBytes)} an input may have`);
      return readFully(fd, st.size, what, path);
    }
    return readStream(fd, maxBytes, what, path);
  } finally {
    closeSync(fd);
  }
}

/** Reads a text input (UTF-8) of at most `maxBytes`; see readInputFile. */
export function readInputText(path: string, what: string, maxBytes = MAX_DOCUMENT_BYTES): string {
  return readInputFile(path, what, maxBytes).toString('utf8');
}

function readOnce(fd: number, buf: Buffer, offset: number, length: number, position: number | null, what: string, path: string): number {
  for (;;) {
    try {
      return readSync(fd, buf, offset, length, position);
    } catch (e) {
      // A non-blocking pipe (a shell's stdin) with no data yet: wait a little and retry.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      return fail(what, path, `cannot read: ${reason(e)}`);
    }
  }
}

function readFully(fd: number, size: number, what: string, path: string): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readOnce(fd, buf, got, size - got, got, what, path);
    if (n === 0) break; // the file shrank while we read it
    got += n;
  }
  return got === size ? buf : buf.subarray(0, got);
}

function readStream(fd: number, maxBytes: number, what: string, path: string): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(STREAM_CHUNK_BYTES, maxBytes + 1 - total));
    const n = readOnce(fd, chunk, 0, chunk.length, null, what, path);
    if (n === 0) break;
    parts.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    total += n;
    if (total > maxBytes) fail(what, path, `more than the ${mib(maxBytes)} an input may have (read as a stream: it is not a regular file)`);
  }
  return Buffer.concat(parts, total);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot write ${path}: ${reason(e)}`);
  }
}

/**
 * Checks, before a run starts, that `path` can be written: an existing regular file or
 * special file (`/dev/null`, `/dev/stdout`, a pipe) that is writable, or a new name in an
 * existing, writable folder. `what` names the option ("--trace"). Returns whether the output
 * is a special file (written in place; see OutputFile).
 */
export function checkOutputPath(path: string, what: string): { special: boolean } {
  if (path === '') throw new ConfigError(`${what}: the output path is empty`);
  const st = statOrUndefined(path);
  if (st?.isDirectory()) fail(what, path, 'is a directory; give a file name');
  const dir = dirname(path);
  if (st && !st.isFile()) {
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      fail(what, path, `cannot write: ${reason(e)}`);
    }
    return { special: true };
  }
  const d = statOrUndefined(dir);
  if (!d) fail(what, path, `cannot write: the folder ${dir} does not exist`);
  if (!d.isDirectory()) fail(what, path, `cannot write: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
    if (st) accessSync(path, constants.W_OK);
  } catch (e) {
    fail(what, path, `cannot write: ${reason(e)}`);
  }
  return { special: false };
}

let tempCounter = 0;

/**
 * An output file. A regular file (or a new name) is written to a temporary file beside it
 * and renamed onto it on commit, so a reader never sees a partial file under the final name
 * and a failure leaves the old file untouched. Anything else (`/dev/null`, `/dev/stdout`, a
 * pipe, a device) is written in place, never replaced: renaming over a device node would
 * delete it.
 */
export class OutputFile {
  readonly tempPath: string | undefined;
  private fd: number | undefined;
  private state: 'open' | 'committed' | 'aborted' = 'open';
  bytesWritten = 0;

  constructor(
    readonly path: string,
    private readonly what = 'output',
  ) {
    const { special } = checkOutputPath(path, what);
    this.tempPath = special ? undefined : join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
    try {
      this.fd = special ? openSync(path, 'w') : openSync(this.tempPath!, 'wx');
    } catch (e) {
      fail(what, path, `cannot write: ${reason(e)}`);
    }
  }

  write(bytes: Uint8Array): void {
    if (this.state !== 'open') throw new Error(`write to ${this.path} after it was ${this.state}`);
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd!, bytes, off, bytes.length - off);
    } catch (e) {
      this.abort();
      fail(this.what, this.path, `cannot write: ${reason(e)}`);
    }
    this.bytesWritten += bytes.length;
  }

  commit(): void {
    if (this.state !== 'open') throw new Error(`commit of ${this.path} after it was ${this.state}`);
    const fd = this.fd!;
    this.fd = undefined;
    if (this.tempPath === undefined) {
      closeSync(fd);
    } else {
      fsyncSync(fd);
      closeSync(fd);
      renameSync(this.tempPath, this.path);
    }
    this.state = 'committed';
  }

  /** Something failed: leave nothing that looks complete (a special file keeps what it got). Safe to call more than once. */
  abort(): void {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.tempPath === undefined) return;
    try {
      unlinkSync(this.tempPath);
    } catch {
      // already gone
    }
  }
}

/** Writes a whole output (see OutputFile): `produce` writes its chunks; on an error nothing is left. */
export function writeOutputFile(path: string, produce: string | Uint8Array | ((write: (chunk: string | Uint8Array) => void) => void), what = 'output'): void {
  const out = new OutputFile(path, what);
  try {
    const write = (chunk: string | Uint8Array): void => out.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    if (typeof produce === 'function') produce(write);
    else write(produce);
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}
