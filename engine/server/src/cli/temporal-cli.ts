// Ensures the Temporal CLI exists (building it on first use) and prints its path on stdout,
// so `.ci/run` can pre-build it outside of test timeouts and scripts can capture the path.
import { ensureTemporalCli } from '../temporal/cli-binary';
import { printEnsuredPath } from './print-ensured-path';

await printEnsuredPath(ensureTemporalCli);
