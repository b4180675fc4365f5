import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { ConfigError } from './errors.js';
import { MAX_DOCUMENT_BYTES, readInputText } from './files.js';

/** How deep a document may nest (a configuration needs 4 levels, a golden file 6). */
export const MAX_DOCUMENT_DEPTH = 64;

/** YAML aliases a document may expand (the yaml package's own default, stated here). */
const MAX_YAML_ALIASES = 100;

type YamlModule = typeof import('yaml');
let yaml: YamlModule | undefined;

/** The YAML parser, loaded on first use: most runs read no YAML, and it is a third of the CLI's start-up. */
function yamlParser(): YamlModule {
  return (yaml ??= createRequire(import.meta.url)('yaml') as YamlModule);
}

/**
 * Parses JSON or YAML text (JSON by a `.json` extension; YAML, a superset of JSON,
 * otherwise) into plain data, then checks what a hostile file could ask for: nesting deeper
 * than MAX_DOCUMENT_DEPTH, a value that contains itself (a YAML alias cycle), and keys that
 * name an object's prototype (`__proto__`). Every problem is a ConfigError naming `source`.
 */
export function parseDocument(text: string, source: string): unknown {
  let doc: unknown;
  if (extname(source).toLowerCase() === '.json') {
    try {
      doc = JSON.parse(text) as unknown;
    } catch (e) {
      throw new ConfigError(`${source}: not valid JSON: ${firstLine(e)}`);
    }
  } else {
    const { parse, YAMLError } = yamlParser();
    try {
      doc = parse(text, { maxAliasCount: MAX_YAML_ALIASES, uniqueKeys: true }) as unknown;
    } catch (e) {
      // YAMLParseError has a position; an unresolved or excessive alias is a plain ReferenceError.
      const pos = e instanceof YAMLError ? e.linePos?.[0] : undefined;
      const problem = e instanceof ReferenceError ? `a YAML alias cannot be used: ${firstLine(e)}` : `not valid YAML: ${firstLine(e)}`;
      throw new ConfigError(`${source}${pos ? `:${pos.line}:${pos.col}` : ''}: ${problem}`);
    }
  }
  checkDocument(doc, source);
  return doc;
}

/** Reads (with the size cap of readInputFile) and parses a JSON or YAML file. */
export function readDocument(path: string, what: string, maxBytes = MAX_DOCUMENT_BYTES): unknown {
  return parseDocument(readInputText(path, what, maxBytes), path);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}

/** Iterative (a deep document must not overflow the stack here or later), each object once. */
function checkDocument(doc: unknown, source: string): void {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: doc, depth: 0, path: '' }];
  const open = new Set<object>();
  const exits: Array<object | undefined> = [];
  const done = new Set<object>();
  while (stack.length) {
    const top = stack.pop()!;
    const { v, depth, path } = top;
    if (v === EXIT) {
      open.delete(exits.pop()!);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const where = path || '(root)';
    if (open.has(v)) throw new ConfigError(`${source}: ${where} contains itself (a YAML alias to an enclosing node)`);
    if (done.has(v)) continue; // an alias to a node seen elsewhere: checked once
    if (depth >= MAX_DOCUMENT_DEPTH) throw new ConfigError(`${source}: ${where} nests deeper than ${MAX_DOCUMENT_DEPTH} levels`);
    open.add(v);
    done.add(v);
    exits.push(v);
    stack.push({ v: EXIT, depth, path });
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) if (typeof v[i] === 'object' && v[i] !== null) stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` });
      continue;
    }
    for (const k of Object.keys(v)) {
      if (k === '__proto__') throw new ConfigError(`${source}: ${path ? `${path}.` : ''}__proto__ is not a setting (a key that would replace an object's prototype)`);
      const c = (v as Record<string, unknown>)[k];
      if (typeof c === 'object' && c !== null) stack.push({ v: c, depth: depth + 1, path: path ? `${path}.${k}` : k });
    }
  }
}

const EXIT = Symbol('exit');
