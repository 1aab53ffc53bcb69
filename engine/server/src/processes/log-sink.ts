import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Appends a child process's output to a file while remembering the last lines for error messages. */
export interface LogSink {
  write(chunk: string | Buffer): void;
  /** The most recent complete (and trailing partial) lines, oldest first. */
  tail(): string[];
  close(): Promise<void>;
}

export function createLogSink(file: string, maxLines = 50): LogSink {
  mkdirSync(path.dirname(file), { recursive: true });
  const stream = createWriteStream(file, { flags: 'a' });
  // A broken log file must not take the server down with it; the tail still works.
  stream.on('error', () => {});
  const lines: string[] = [];
  let partial = '';
  return {
    write(chunk) {
      const text = chunk.toString();
      stream.write(text);
      const parts = (partial + text).split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > maxLines) lines.shift();
      }
    },
    tail() {
      return partial ? [...lines, partial].slice(-maxLines) : [...lines];
    },
    close() {
      return new Promise((resolve) => stream.end(resolve));
    },
  };
}
