import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from './documents.js';
import { ConfigError } from './errors.js';
import { checkOutputPath, OutputFile, readInputFile, writeOutputFile } from './files.js';
import { quote } from './quote.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'sata-core-files-'));
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('readInputFile', () => {
  it('reads a regular file and refuses one above the cap from its size', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.txt'), 'hello');
    expect(readInputFile(join(dir, 'a.txt'), 'input').toString()).toBe('hello');
    expect(message(() => readInputFile(join(dir, 'a.txt'), 'input', 4))).toMatch(/input .*a\.txt: 5 bytes, more than the 0\.000 MiB an input may have/);
  });

  it('reads a device as a stream and stops at the cap', () => {
    expect(message(() => readInputFile('/dev/zero', 'configuration file', 3 << 20))).toMatch(/configuration file \/dev\/zero: more than the 3 MiB an input may have \(read as a stream/);
    expect(readInputFile('/dev/null', 'input').length).toBe(0);
  });

  it('names a directory, a missing file and a missing folder', () => {
    const dir = tmp();
    expect(message(() => readInputFile(dir, 'trace'))).toMatch(/trace .*: cannot read: is a directory, not a file/);
    expect(message(() => readInputFile(join(dir, 'none'), 'network file'))).toMatch(/network file .*none: cannot read: no such file/);
    writeFileSync(join(dir, 'f'), '');
    expect(message(() => readInputFile(join(dir, 'f', 'x'), 'input'))).toMatch(/a part of the path is not a directory/);
  });
});

describe('outputs', () => {
  it('checkOutputPath refuses a directory and a missing folder, and tells a special file', () => {
    const dir = tmp();
    expect(message(() => checkOutputPath(dir, '--trace'))).toMatch(/--trace .*: is a directory; give a file name/);
    expect(message(() => checkOutputPath(join(dir, 'no', 'x.json'), '-o'))).toMatch(/-o .*x\.json: cannot write: the folder .*no does not exist/);
    expect(checkOutputPath(join(dir, 'new.json'), '-o')).toEqual({ special: false });
    expect(checkOutputPath('/dev/null', '-o')).toEqual({ special: true });
  });

  it('a regular file is replaced atomically: a failure leaves the old one and no temporary', () => {
    const dir = tmp();
    const path = join(dir, 'out.txt');
    writeFileSync(path, 'old');
    expect(() => writeOutputFile(path, (write) => {
      write('half');
      throw new Error('boom');
    })).toThrow('boom');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.txt']);
    writeOutputFile(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
  });

  it('a device is written in place and stays a device', () => {
    const before = statSync('/dev/null');
    const out = new OutputFile('/dev/null', '--trace');
    expect(out.tempPath).toBeUndefined();
    out.write(Buffer.from('bytes'));
    out.commit();
    const after = statSync('/dev/null');
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.rdev).toBe(before.rdev);
    expect(message(() => writeOutputFile('/dev/full', 'x', '--trace'))).toMatch(/--trace \/dev\/full: cannot write: ENOSPC/);
  });

  // Root may write anywhere, so there is nothing to refuse when the tests run as root.
  it.skipIf(process.getuid?.() === 0)('refuses to write into a read-only folder before writing anything', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'ro'), { mode: 0o555 });
    expect(message(() => checkOutputPath(join(dir, 'ro', 'x'), '-o'))).toMatch(/permission denied/);
  });
});

describe('parseDocument', () => {
  it('refuses unresolved and excessive YAML aliases, cycles, deep nesting and __proto__ keys', () => {
    expect(message(() => parseDocument('timesteps: *undefined\n', 'c.yaml'))).toMatch(/^c\.yaml: a YAML alias cannot be used: Unresolved alias/);
    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (const [n, p] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']] as const) bomb += `${n}: &${n} [${Array(9).fill(`*${p}`).join(', ')}]\n`;
    expect(message(() => parseDocument(bomb, 'b.yaml'))).toMatch(/Excessive alias count/);
    expect(message(() => parseDocument('a: &a\n  b: *a\n', 'c.yaml'))).toMatch(/c\.yaml: a\.b contains itself/);
    expect(message(() => parseDocument(`${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'd.json'))).toMatch(/nests deeper than 64 levels/);
    expect(message(() => parseDocument('{"a": {"__proto__": {"x": 1}}}', 'p.json'))).toMatch(/p\.json: a\.__proto__ is not a setting/);
    expect(message(() => parseDocument('a: 1\na: 2\n', 'u.yaml'))).toMatch(/u\.yaml:2:1: not valid YAML: Map keys must be unique/);
    expect(message(() => parseDocument('{', 'j.json'))).toMatch(/j\.json: not valid JSON/);
  });

  it('keeps aliases to nodes elsewhere (shared, not cyclic)', () => {
    expect(parseDocument('a: &a [1, 2]\nb: [*a, *a]\n', 'ok.yaml')).toEqual({ a: [1, 2], b: [[1, 2], [1, 2]] });
  });
});

describe('quote', () => {
  it('cuts a long value short and says how long it was', () => {
    expect(quote({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    const long = quote(Array.from({ length: 200_000 }, (_, i) => i));
    expect(long.length).toBeLessThan(120);
    expect(long).toMatch(/^\[0,1,2,.*… \(a list of 200000 items\)$/);
    expect(quote('y'.repeat(1000))).toMatch(/^"y+… \(a string of 1000 characters\)$/);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(quote(cyclic)).toBe('{"self":<cycle>}');
  });
});
