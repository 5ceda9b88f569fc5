import { defineConfig } from 'vitest/config';

// Runs only the deliberately failing test below, with the real global setup
// (the embedded PostgreSQL launcher), so .ci/run can prove that a failing test
// makes vitest exit non-zero.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/canary/*.canary.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    hookTimeout: 60_000,
  },
});
