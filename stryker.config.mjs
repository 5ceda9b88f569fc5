// Mutation testing of the safety-critical modules (issue 19), one group of modules per run:
// `npm run mutate` (scripts/mutate.js) runs every group. CONTRIBUTING.md ("Mutation
// testing") says when to run it and what it costs.
import { readFileSync } from 'node:fs';

const safety = JSON.parse(
  readFileSync(new URL('./test/mutation/safety-modules.json', import.meta.url), 'utf8'),
);
const name = process.env.SFSYNC_MUTATE_GROUP;
const group = safety.groups.find((g) => g.name === name);
if (!group) {
  const names = safety.groups.map((g) => g.name).join(', ');
  throw new Error(`set SFSYNC_MUTATE_GROUP to one of: ${names} (or run npm run mutate)`);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: group.vitestConfig, related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: group.modules,
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${group.name}.html` },
  jsonReporter: { fileName: `reports/mutation/${group.name}.json` },
  incrementalFile: `test/mutation/incremental/${group.name}.json`,
  thresholds: { high: 90, low: safety.threshold, break: safety.threshold },
  concurrency: 3,
  timeoutMS: group.timeoutMS,
  ignorePatterns: ['dist', 'reports', 'coverage', '.sfsync-demo', 'bench/results'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
