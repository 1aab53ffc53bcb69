import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ensureTemporalCli,
  findTemporalCli,
  goInstall,
  sdkDownload,
  type TemporalCliSource,
} from './cli-binary';

const emptyCache = async () => path.join(await mkdtemp(path.join(tmpdir(), 'sopflow-cli-')), 'bin');
const noPath = { PATH: '' };

function source(name: string, calls: string[], result: string | Error): TemporalCliSource {
  return {
    name,
    async obtain() {
      calls.push(name);
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

describe('getting a Temporal CLI', () => {
  it("tries the SDK's download before go install", () => {
    expect([sdkDownload, goInstall].map((s) => s.name)).toEqual([
      "the Temporal SDK's download (temporal.download)",
      'go install github.com/temporalio/cli/cmd/temporal@v1.5.1',
    ]);
  });

  it('falls through to the next source when one fails, and stops at the first that gives a binary', async () => {
    const calls: string[] = [];
    const progress: string[] = [];
    const binary = await ensureTemporalCli({
      env: noPath,
      binDir: await emptyCache(),
      onProgress: (line) => progress.push(line),
      sources: [
        source('download', calls, new Error('dns error: temporal.download')),
        source('build', calls, '/built/temporal'),
        source('never', calls, '/never/temporal'),
      ],
    });
    expect(binary).toBe('/built/temporal');
    expect(calls).toEqual(['download', 'build']);
    expect(progress).toEqual(['No Temporal CLI from download: dns error: temporal.download']);
  });

  it('names every source it tried, in order, with its reason, when none gives a binary', async () => {
    const calls: string[] = [];
    const failing = ensureTemporalCli({
      env: noPath,
      binDir: await emptyCache(),
      sources: [
        source('download', calls, new Error('dns error')),
        source('build', calls, new Error('`go` is not on PATH to build it.')),
      ],
    });
    await expect(failing).rejects.toThrow(
      'No Temporal CLI could be had. Tried, in order:\n1. download: dns error\n2. build: `go` is not on PATH to build it.\nInstall Go',
    );
    expect(calls).toEqual(['download', 'build']);
  });

  it('uses a CLI the SDK downloaded before, without fetching again', async () => {
    const binDir = await emptyCache();
    const downloaded = path.join(binDir, '..', 'download', 'temporal-cli-v1.5.1');
    await mkdir(path.dirname(downloaded), { recursive: true });
    await writeFile(downloaded, '#!/bin/sh\n');
    await chmod(downloaded, 0o755);
    const calls: string[] = [];
    expect(await findTemporalCli({ env: noPath, binDir })).toBe(downloaded);
    expect(await ensureTemporalCli({ env: noPath, binDir, sources: [source('download', calls, '/x')] })).toBe(
      downloaded,
    );
    expect(calls).toEqual([]);
  });
});
