import { defineConfig } from 'vitest/config';

// One DynamoDB Local JVM and one s3rver serve the whole run (global setup); each integration or e2e test
// file gets its own table, so files run in parallel without seeing each other's data.
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // The JSON report feeds the one-line summary .ci/run prints; the default reporter is for people.
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    // PASSWORD_HASH_LOG_N: scrypt at N = 2^12 keeps sign-ups and logins fast in tests; production is 2^17
    // (test/unit/config.test.ts and passwords.test.ts check the default, test/infra that no stack sets it).
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', PASSWORD_HASH_LOG_N: '12' },
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
        // Synthesizing the whole stack (bundling every function, staging the web app) happens in beforeAll: minutes
        // on a busy machine.
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          // The web app in Debian's Chromium (playwright-core), against the local stack; the app is built once
          // first (when its sources changed).
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          setupFiles: ['test/support/isolated-table.ts'],
          globalSetup: ['test/support/web-build.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
