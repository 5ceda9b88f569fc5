import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant: unit and integration tests, which import
 * src/ (where the mutants are). End-to-end tests run the built dist/, so they could
 * not see a mutant; the campaigns are left out for time, their invariants are pinned
 * by faster tests of the same code.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    exclude: ['test/integration/*campaign*.test.ts'],
    // The run's files in one temporary directory, removed when it ends (as in vitest.config.ts).
    globalSetup: ['test/support/temp-dir-setup.ts', 'test/support/database-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
