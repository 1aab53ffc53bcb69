// Ensures the Temporal CLI exists (building it on first use) and prints its path on stdout,
// so `.ci/run` can pre-build it outside of test timeouts and scripts can capture the path.
import { ensureTemporalCli } from '../temporal/cli-binary';

try {
  // Progress goes to stderr to keep stdout to exactly the path.
  const cli = await ensureTemporalCli({ onProgress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${cli}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
