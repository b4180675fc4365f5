import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages by name; resolve them to their TypeScript sources so
// that unit tests never run against a stale build.
const alias: Record<string, string> = {};
for (const group of ['packages', 'plugins']) {
  const root = resolve(__dirname, group);
  if (!existsSync(root)) continue;
  for (const dir of readdirSync(root)) {
    const pkgFile = join(root, dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const name = JSON.parse(readFileSync(pkgFile, 'utf8')).name as string;
    alias[name] = join(root, dir, 'src', 'index.ts');
  }
}

export default defineConfig({
  resolve: { alias: Object.entries(alias).map(([find, replacement]) => ({ find: new RegExp(`^${find.replace('/', '\\/')}$`), replacement })) },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
