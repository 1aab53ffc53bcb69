import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { localStack } from '@sopflow/server';
import { describe, expect, it } from 'vitest';

const { ensureTemporalCli, TEMPORAL_CLI_VERSION } = localStack;

describe('getting a Temporal CLI on a machine that has none and no Go', () => {
  it("tries the SDK's real download, then go install, and either gives a runnable CLI or says what each source answered", async () => {
    const binDir = path.join(await mkdtemp(path.join(tmpdir(), 'sopflow-cli-')), 'bin');
    const progress: string[] = [];
    // No `temporal` and no `go` on PATH; the SDK's download does not need PATH.
    const outcome = await ensureTemporalCli({
      env: { PATH: '' },
      binDir,
      onProgress: (l) => progress.push(l),
    }).then(
      (binary) => ({ binary }),
      (error: Error) => ({ error: error.message }),
    );
    expect(progress[0]).toBe(`Downloading the Temporal CLI ${TEMPORAL_CLI_VERSION} with the Temporal SDK...`);
    if ('binary' in outcome) {
      // Where temporal.download is reachable: the downloaded CLI runs and is the pinned version.
      const { stdout } = await promisify(execFile)(outcome.binary, ['--version']);
      expect(stdout).toContain(TEMPORAL_CLI_VERSION.replace(/^v/, ''));
    } else {
      // Where it is not (this sandbox reaches package registries only), go install was tried next.
      expect(outcome.error).toMatch(
        /^No Temporal CLI could be had\. Tried, in order:\n1\. the Temporal SDK's download \(temporal\.download\): .*download.*\n2\. go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1: `go` is not on PATH to build it\.\nInstall Go/,
      );
    }
  }, 120_000);
});
