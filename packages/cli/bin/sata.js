#!/usr/bin/env node
// The `sata` command. This file is committed, not built, so that `npm ci` on a fresh clone
// links node_modules/.bin/sata before the build has made dist/ (npm links a bin only if its
// target exists); it runs the built CLI.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('sata: the CLI is not built yet: run `npm run build` (or `npm start`) in the repository first\n');
  process.exit(2);
}
await import(main.href);
