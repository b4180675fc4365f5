import { describe, expect, it } from 'vitest';
import { cutLongWords, MESSAGE_WORD_MAX_CHARS, quote, QUOTE_MAX_CHARS } from './quote.js';

describe('quote', () => {
  it('quotes short values whole and cuts long ones with their size', () => {
    expect(quote('conv1')).toBe('"conv1"');
    expect(quote({ a: [1, 2] })).toBe('{"a":[1,2]}');
    const long = quote('x'.repeat(10_000));
    expect(long.length).toBeLessThan(QUOTE_MAX_CHARS + 40);
    expect(long).toMatch(/^"x+… \(a string of 10000 characters\)$/);
    expect(quote(Array.from({ length: 1e6 }, () => 0))).toMatch(/… \(a list of 1000000 items\)$/);
  });
});

describe('cutLongWords', () => {
  it('cuts every run of non-space characters past the limit, and leaves the rest of the message alone', () => {
    const path = `/tmp/${'d'.repeat(5000)}/f.json`;
    const msg = `result file ${path}: cannot read: no such file (known: a, b, c)`;
    const cut = cutLongWords(msg);
    expect(cut).toBe(`result file ${path.slice(0, MESSAGE_WORD_MAX_CHARS)}… (${path.length + 1} characters) cannot read: no such file (known: a, b, c)`);
    expect(cutLongWords('two\nlines stay as they are')).toBe('two\nlines stay as they are');
    expect(cutLongWords(`${'a'.repeat(300)} ${'b'.repeat(300)}`, 10)).toBe('aaaaaaaaaa… (300 characters) bbbbbbbbbb… (300 characters)');
    expect(cutLongWords('x'.repeat(MESSAGE_WORD_MAX_CHARS))).toBe('x'.repeat(MESSAGE_WORD_MAX_CHARS));
  });
});
