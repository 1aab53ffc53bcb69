/**
 * What the scripts `.ci/run` calls before the tests share: run an `ensure…` step with its progress
 * on stderr, so that stdout is exactly the path it answers; a failure prints its message and sets
 * exit code 1.
 */
export async function printEnsuredPath(
  ensure: (options: { onProgress: (line: string) => void }) => Promise<string>,
): Promise<void> {
  try {
    const path = await ensure({ onProgress: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(`${path}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
