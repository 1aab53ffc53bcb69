import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `sopflow worker` as a process of its own, so a test can kill it with no goodbye (SIGKILL) and
 * start another, as a crash would.
 */

const sopflowBin = fileURLToPath(new URL('../../engine/server/bin/sopflow.js', import.meta.url));

/** Worker processes started by a test file, to kill in afterAll. */
export class WorkerProcesses {
  private readonly children = new Set<ChildProcess>();
  private readonly outputs = new Map<ChildProcess, string>();

  /** What a worker printed so far (for a failing test's message). */
  output(child: ChildProcess): string {
    return this.outputs.get(child) ?? '';
  }

  /** What every worker started so far printed. */
  allOutput(): string {
    return [...this.outputs.values()].join('\n----\n');
  }

  /** Starts `sopflow worker` with this environment; resolves once it polls its task queue. */
  start(env: Record<string, string>): Promise<ChildProcess> {
    const child = spawn(process.execPath, [sopflowBin, 'worker'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    this.outputs.set(child, '');
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        const output = this.outputs.get(child) + String(chunk);
        this.outputs.set(child, output);
        if (output.includes('sopflow worker polling')) resolve(child);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) =>
        reject(new Error(`worker exited early (${code ?? signal}):\n${this.output(child)}`)),
      );
    });
  }

  /** SIGKILLs one worker; resolves once it is gone. */
  kill(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.children].map((child) => this.kill(child)));
  }
}

/** Polls `probe` until it answers something other than undefined. */
export async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
