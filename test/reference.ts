import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The references the tests compare with live in the repository's `reference/` folder
 * (reference/ORIGIN.md says where each came from). A missing one is an error, never a skip:
 * a clone that lacks it would otherwise test only the simulator's agreement with itself.
 */
const ROOT = fileURLToPath(new URL('../reference/', import.meta.url));

/** The absolute path of `reference/<relative>`; throws when it is not there. */
export function referencePath(relative: string): string {
  const path = `${ROOT}${relative}`;
  if (!existsSync(path)) throw new Error(`reference file ${path} is missing: it ships with the repository (see reference/ORIGIN.md)`);
  return path;
}

/** The files in `reference/<folder>` ending with `ext`, sorted; throws when there are none. */
export function referenceFiles(folder: string, ext: string): string[] {
  const dir = referencePath(folder);
  if (!statSync(dir).isDirectory()) throw new Error(`reference ${dir} is not a folder`);
  const files = readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => `${dir}/${f}`);
  if (files.length === 0) throw new Error(`reference folder ${dir} holds no ${ext} file (see reference/ORIGIN.md)`);
  return files;
}
