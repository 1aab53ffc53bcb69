import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('the sopflow command', () => {
  it('ends quietly when the reader of its output stops early (| head), with no EPIPE stack', async () => {
    const child = spawn(
      process.execPath,
      [
        'engine/server/bin/sopflow.js',
        'simulate',
        'engine/core/examples/vip-welcome.json',
        '--cohort',
        '3000',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Like `head -1`: read the first chunk, then close the pipe while the command still writes.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  }, 30_000);
});
