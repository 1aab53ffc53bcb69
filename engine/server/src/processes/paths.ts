import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRepoRoot: string | undefined;

/**
 * The monorepo root: the nearest ancestor of this file whose package.json declares `workspaces`.
 * Resolved from the source location rather than `process.cwd()` so CLIs work from any directory.
 */
export function repoRoot(): string {
  if (cachedRepoRoot) return cachedRepoRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (parsed.workspaces) {
        cachedRepoRoot = dir;
        return dir;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`Could not find the repository root (a package.json with "workspaces") above ${dir}`);
    }
    dir = parent;
  }
}

/** Where local state lives (Postgres cluster, Temporal SQLite file, logs): `SOPFLOW_DATA_DIR` or `<repoRoot>/.data`. */
export function dataDir(): string {
  const fromEnv = process.env.SOPFLOW_DATA_DIR;
  return fromEnv ? path.resolve(fromEnv) : path.join(repoRoot(), '.data');
}

/** Rebuildable artefacts (the Temporal CLI binary): `<repoRoot>/.cache`. */
export function cacheDir(): string {
  return path.join(repoRoot(), '.cache');
}
