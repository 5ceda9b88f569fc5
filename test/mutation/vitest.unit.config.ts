import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against the pure core's mutants: the unit tests alone, with no
 * database to start, so a mutant costs seconds. The core is pure, so a rule it breaks
 * has to be caught here; an integration test that happens to notice does not count.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
  },
});
