import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('simulates a scripted contact change among the events: the branch after it takes the new path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sopflow-cli-'));
    const contact = path.join(dir, 'contact.json');
    const events = path.join(dir, 'events.json');
    writeFileSync(
      contact,
      JSON.stringify({
        contact: { id: 'c1', name: 'Otto', wecomUserId: 'wx-otto', attributes: { tier: 'basic' } },
        event: { group: 'G1' },
      }),
    );
    writeFileSync(events, JSON.stringify([{ at: '+1s', contact: { attributes: { tier: 'vip' } } }]));
    const child = spawn(
      process.execPath,
      [
        'engine/server/bin/sopflow.js',
        'simulate',
        'engine/core/examples/vip-welcome.json',
        '--contact',
        contact,
        '--events',
        events,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('✎ contact changed: attributes');
    expect(stdout).toContain('→ vip-perk (send)');
    expect(stdout).not.toContain('→ intro');
  }, 30_000);
});
