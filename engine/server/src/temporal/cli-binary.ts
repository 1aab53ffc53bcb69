import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cacheDir } from '../processes/paths';

/** Pinned so every developer and CI run gets the same dev server behaviour. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export interface FindTemporalCliOptions {
  /**
   * Environment consulted for `TEMPORAL_CLI` and `PATH`.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Directory `go install` writes the binary to, and where a previous build is looked for.
   * @default `<repoRoot>/.cache/temporal-cli/bin`
   */
  binDir?: string;
}

export interface EnsureTemporalCliOptions extends FindTemporalCliOptions {
  /**
   * Receives human-readable progress lines (including go's own output) while building.
   * @default ignores them
   */
  onProgress?: (line: string) => void;
}

const binaryName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

function defaultBinDir(): string {
  return path.join(cacheDir(), 'temporal-cli', 'bin');
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function locateTemporalCli(opts: FindTemporalCliOptions): Promise<string | undefined> {
  const env = opts.env ?? process.env;

  // An explicit override that does not work is a configuration mistake, not a reason to fall back silently.
  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    const resolved = path.resolve(fromEnv);
    if (!(await isExecutableFile(resolved))) {
      throw new Error(
        `TEMPORAL_CLI is set to "${fromEnv}", but that is not an executable file. ` +
          'Point TEMPORAL_CLI at a Temporal CLI binary, or unset it to use `temporal` from PATH or a local build.',
      );
    }
    return resolved;
  }

  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binaryName);
    if (await isExecutableFile(candidate)) return candidate;
  }

  const cached = path.join(opts.binDir ?? defaultBinDir(), binaryName);
  if (await isExecutableFile(cached)) return cached;

  return undefined;
}

/**
 * Finds an existing Temporal CLI: `TEMPORAL_CLI`, then `temporal` on PATH, then the local build cache.
 * Throws when none exists; use {@link ensureTemporalCli} to build one instead.
 */
export async function findTemporalCli(opts: FindTemporalCliOptions = {}): Promise<string> {
  const found = await locateTemporalCli(opts);
  if (!found) {
    throw new Error(
      'No Temporal CLI found (checked TEMPORAL_CLI, PATH and the local build cache). ' +
        'Run `npm run temporal:cli` to build it, or set TEMPORAL_CLI to an existing binary.',
    );
  }
  return found;
}

/** Like {@link findTemporalCli}, but builds the CLI with `go install` when none is found. */
export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<string> {
  const found = await locateTemporalCli(opts);
  if (found) return found;
  return buildTemporalCli(opts);
}

async function buildTemporalCli(opts: EnsureTemporalCliOptions): Promise<string> {
  const binDir = opts.binDir ?? defaultBinDir();
  const onProgress = opts.onProgress ?? (() => {});
  onProgress('Building the Temporal CLI (first start only, a few minutes)...');

  const recent: string[] = [];
  const child = spawn('go', ['install', TEMPORAL_CLI_MODULE], {
    env: { ...(opts.env ?? process.env), GOBIN: binDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      recent.push(line);
      if (recent.length > 30) recent.shift();
      onProgress(line);
    });
  }

  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new Error(
            'The Temporal CLI is not installed and `go` is not on PATH to build it. ' +
              'Install Go (https://go.dev/dl/) and retry, install the Temporal CLI ' +
              '(https://docs.temporal.io/cli) so `temporal` is on PATH, or set TEMPORAL_CLI to its path.',
          ),
        );
      } else {
        reject(error);
      }
    });
    child.once('close', resolve);
  });

  const binary = path.join(binDir, binaryName);
  if (exitCode !== 0) {
    throw new Error(
      `\`go install ${TEMPORAL_CLI_MODULE}\` failed (exit code ${exitCode}):\n${recent.join('\n')}`,
    );
  }
  if (!(await isExecutableFile(binary))) {
    throw new Error(
      `\`go install\` succeeded but ${binary} is missing; is GOOS/GOARCH set for another platform?`,
    );
  }
  onProgress(`Temporal CLI ready at ${binary}`);
  return binary;
}
