import { defineConfig } from 'vitest/config';

/**
 * Three projects, so a unit file runs alone in about a second (`npx vitest --project unit`):
 * - unit: pure code, no database, no build;
 * - integration: a real PostgreSQL (test/support/database-setup.ts), src/ imported directly;
 * - e2e: the built CLI run as a subprocess, so dist/ is built first (global-setup.ts), and
 *   its own PostgreSQL.
 */
const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // `npm run coverage`: what the unit and integration tests execute of src/ (e2e runs dist/ in
    // subprocesses, which v8 in this process cannot see). The thresholds hold today's level.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'html', 'json-summary'],
      reportsDirectory: 'coverage',
    },
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/database-setup.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
