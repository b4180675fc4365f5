/**
 * Spec files this build ships, parsed once at build time (scripts/compile-arch-specs.mjs
 * writes packages/hw/dist/arch-documents.json), so that start-up does not load and run a
 * YAML parser: that was 50 ms of a 0.27 s `sata layer` run (the parser is cold on every run).
 *
 * Entries are keyed by the file's exact text, as Python keys a .pyc by its source: a hit is
 * the very document the parser gives for that text, and an edited file (or no build) simply
 * misses and is parsed. So the cache can be missing or old without ever being wrong.
 */
import { readFileSync } from 'node:fs';

/** From src/arch/ (vitest) and dist/arch/ alike, the built package's dist/ folder. */
const DOCUMENTS = new URL('../../dist/arch-documents.json', import.meta.url);

/** One entry: the file's text and its document as JSON (parsed afresh on each hit: callers own the result). */
export interface PrecompiledSpec {
  readonly text: string;
  readonly json: string;
}

let byText: Map<string, string> | undefined;

function load(): Map<string, string> {
  try {
    const entries = JSON.parse(readFileSync(DOCUMENTS, 'utf8')) as PrecompiledSpec[];
    return new Map(entries.map((e) => [e.text, e.json]));
  } catch {
    return new Map(); // not built yet, or damaged: every spec is parsed
  }
}

/** The build-time document of exactly this text, or undefined (then parse it). */
export function precompiledDocument(text: string): unknown {
  const json = (byText ??= load()).get(text);
  return json === undefined ? undefined : (JSON.parse(json) as unknown);
}
