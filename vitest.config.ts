import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'engine/core/src/**/*.test.ts',
            'engine/server/src/**/*.test.ts',
            'workflows/src/**/*.test.ts',
            'connectors/src/**/*.test.ts',
            'builder-ui/src/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // One real Temporal server and Postgres are shared; files run one at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
