import { defineConfig } from 'vitest/config';

// One DynamoDB Local JVM and one s3rver serve the whole run (global setup); each integration or e2e test
// file gets its own table, so files run in parallel without seeing each other's data.
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // The JSON report feeds the one-line summary .ci/run prints; the default reporter is for people.
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/support/isolated-table.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          setupFiles: ['test/support/isolated-table.ts'],
        },
      },
      {
        extends: true,
        // Synthesizing (bundling every function) takes minutes when several files synthesize at once.
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
