// Ensures Temporal's time-skipping test server jars are fetched (with Maven, on first use) and prints
// their directory on stdout, so `.ci/run` can fetch them outside of test timeouts.
import { ensureTemporalTestServer } from '../temporal/test-server';

try {
  // Progress goes to stderr to keep stdout to exactly the path.
  const libDir = await ensureTemporalTestServer({ onProgress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${libDir}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
