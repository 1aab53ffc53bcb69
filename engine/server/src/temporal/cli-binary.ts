import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cacheDir } from '../processes/paths';

/** Pinned so every developer and CI run gets the same dev server behaviour. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

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
  /**
   * Where a missing CLI is fetched from, tried in order until one gives a binary.
   * @default [sdkDownload, goInstall]
   */
  sources?: readonly TemporalCliSource[];
}

/** One way of getting a Temporal CLI onto this machine. */
export interface TemporalCliSource {
  /** What it is, for progress lines and the final error ("the Temporal SDK's download"). */
  name: string;
  /** The path of a runnable binary; throws with the reason when this source cannot give one. */
  obtain(place: {
    binDir: string;
    env: NodeJS.ProcessEnv;
    onProgress: (line: string) => void;
  }): Promise<string>;
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

  const binDir = opts.binDir ?? defaultBinDir();
  const cached = path.join(binDir, binaryName);
  if (await isExecutableFile(cached)) return cached;
  return downloadedCli(binDir);
}

/** Where the SDK's download is kept: beside the `go install` build, in the same cache. */
function downloadDirOf(binDir: string): string {
  return path.join(binDir, '..', 'download');
}

/** A CLI the Temporal SDK downloaded before, if any (the SDK names the file after its version). */
async function downloadedCli(binDir: string): Promise<string | undefined> {
  const dir = downloadDirOf(binDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names
    .filter((n) => n.startsWith('temporal-cli'))
    .sort()
    .reverse()) {
    const file = path.join(dir, name);
    if (await isExecutableFile(file)) return file;
  }
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

/**
 * Like {@link findTemporalCli}, but fetches the CLI when none is found: the Temporal SDK's own
 * cached download first (seconds, where temporal.download is reachable), then `go install` (a few
 * minutes, and the only way where the network reaches package registries alone).
 */
export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<string> {
  const found = await locateTemporalCli(opts);
  if (found) return found;
  const binDir = opts.binDir ?? defaultBinDir();
  const onProgress = opts.onProgress ?? (() => {});
  const failures: string[] = [];
  for (const source of opts.sources ?? [sdkDownload, goInstall]) {
    try {
      return await source.obtain({ binDir, env: opts.env ?? process.env, onProgress });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failures.push(`${failures.length + 1}. ${source.name}: ${reason}`);
      onProgress(`No Temporal CLI from ${source.name}: ${reason.split('\n')[0]}`);
    }
  }
  throw new Error(
    `No Temporal CLI could be had. Tried, in order:\n${failures.join('\n')}\n` +
      'Install Go (https://go.dev/dl/) and retry, install the Temporal CLI ' +
      '(https://docs.temporal.io/cli) so `temporal` is on PATH, or set TEMPORAL_CLI to its path.',
  );
}

/**
 * The Temporal SDK's cached download of the CLI (what `TestWorkflowEnvironment.createLocal` does):
 * it fetches the pinned version from temporal.download into the cache and starts it once, which
 * also proves the binary runs here.
 */
export const sdkDownload: TemporalCliSource = {
  name: "the Temporal SDK's download (temporal.download)",
  async obtain({ binDir, onProgress }) {
    onProgress(`Downloading the Temporal CLI ${TEMPORAL_CLI_VERSION} with the Temporal SDK...`);
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const environment = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: {
          type: 'cached-download',
          version: TEMPORAL_CLI_VERSION,
          downloadDir: downloadDirOf(binDir),
        },
      },
    });
    await environment.teardown();
    const binary = await downloadedCli(binDir);
    if (!binary) throw new Error(`the SDK started a server, but left no binary in ${downloadDirOf(binDir)}`);
    onProgress(`Temporal CLI ready at ${binary}`);
    return binary;
  },
};

/** `go install` of the pinned CLI module into the cache. */
export const goInstall: TemporalCliSource = {
  name: `go install ${TEMPORAL_CLI_MODULE}`,
  obtain: ({ binDir, env, onProgress }) => buildTemporalCli(binDir, onProgress, env),
};

async function buildTemporalCli(
  binDir: string,
  onProgress: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  onProgress('Building the Temporal CLI (first start only, a few minutes)...');

  const recent: string[] = [];
  const child = spawn('go', ['install', TEMPORAL_CLI_MODULE], {
    env: { ...env, GOBIN: binDir },
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
        reject(new Error('`go` is not on PATH to build it.'));
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
