import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogSink } from './log-sink';

export interface SuperviseOptions {
  /** What it is, for error messages: `Temporal dev server`. */
  name: string;
  /** Where it listens, for error messages. */
  address: string;
  command: string;
  args: readonly string[];
  /** Its output goes here; the last lines also go into error messages. */
  logFile: string;
  /** Whether it serves yet (not just whether its port is open). */
  isReady: () => Promise<boolean>;
  readyTimeoutMs: number;
  /** How long `stop` waits after SIGTERM before SIGKILL. */
  stopTimeoutMs: number;
  /** Between readiness checks. */
  pollMs: number;
  /** The message for a command that cannot be spawned at all (missing binary), if not the default. */
  spawnFailure?: (error: NodeJS.ErrnoException) => string;
}

/**
 * Starts a long-running child process, logs its output, and resolves once `isReady` says it
 * serves; if it exits first or does not get ready in time, it is stopped and the error carries the
 * end of its log. The process is killed when this one exits, so a parent that forgets `stop`
 * leaves no orphan holding the port.
 */
export async function superviseUntilReady(options: SuperviseOptions): Promise<{ stop(): Promise<void> }> {
  const { command, args, logFile } = options;
  const log = createLogSink(logFile);
  log.write(`\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));

  let spawnFailed = false;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnFailed = true;
      resolve(options.spawnFailure?.(error) ?? `failed to spawn ${command}: ${error.message}`);
    });
    // 'close' rather than 'exit': it fires after stdout/stderr are drained, so the log tail is complete.
    child.once('close', (code, signal) =>
      resolve(signal ? `killed by ${signal}` : `exited with code ${code}`),
    );
  });
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });

  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      await terminate(child, exited, () => exitReason !== undefined, options.stopTimeoutMs);
      await log.close();
    })();
    return stopping;
  };

  const failure = (why: string) =>
    new Error(`${options.name} at ${options.address} ${why}. Log: ${logFile}\n${log.tail().join('\n')}`);

  const deadline = Date.now() + options.readyTimeoutMs;
  for (;;) {
    if (exitReason) {
      await stop();
      throw failure(spawnFailed ? exitReason : `${exitReason} before it was ready`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw failure(`did not become ready within ${options.readyTimeoutMs} ms`);
    }
    // Raced with exit so a process that dies at once fails fast instead of after a probe timeout.
    if (await Promise.race([options.isReady(), exited.then(() => false)])) break;
    await Promise.race([sleep(options.pollMs), exited]);
  }
  return { stop };
}

async function terminate(
  child: ChildProcess,
  exited: Promise<unknown>,
  hasExited: () => boolean,
  timeoutMs: number,
): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  // Unref'd so a fast exit does not keep the parent alive for the rest of the timeout.
  const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
  if ((await Promise.race([exited, timer])) === 'timeout' && !hasExited()) {
    child.kill('SIGKILL');
    await exited;
  }
}
