import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startTestDatabase } from './database-setup.js';
import { ROOT } from './paths.js';

/**
 * The full run: build the CLI for the end-to-end tests, then start the database
 * (database-setup.ts). The mutation run uses database-setup.ts alone: it runs no
 * end-to-end test, and a build per Stryker sandbox would be wasted.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The end-to-end tests run the built CLI: build it now, and again before every rerun in watch
  // mode, so dist/ is never stale.
  buildCli();
  project.onTestsRerun(() => buildCli());
  return startTestDatabase(project);
}

function buildCli(): void {
  execFileSync(
    process.execPath,
    [`${ROOT}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}
