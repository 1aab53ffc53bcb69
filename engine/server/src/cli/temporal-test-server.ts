// Ensures Temporal's time-skipping test server jars are fetched (with Maven, on first use) and prints
// their directory on stdout, so `.ci/run` can fetch them outside of test timeouts.
import { ensureTemporalTestServer } from '../temporal/test-server';
import { printEnsuredPath } from './print-ensured-path';

await printEnsuredPath(ensureTemporalTestServer);
