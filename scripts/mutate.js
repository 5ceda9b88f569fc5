// `npm run mutate [-- --full | --changed] [group…]`: runs Stryker once per group of
// safety-critical modules (test/mutation/safety-modules.json), each against the tests that
// can see it, then prints every module's score and fails if one is under the threshold.
// Incremental by default: only mutants whose code or covering tests changed since the
// committed test/mutation/incremental/<group>.json are run again; --full reruns them all.
// --changed (CI) runs only the groups one of whose modules differs from that baseline; the
// others are scored from the baseline as committed (a test-only change is judged nightly).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const safety = JSON.parse(readFileSync(new URL('test/mutation/safety-modules.json', root), 'utf8'));
const args = process.argv.slice(2);
const full = args.includes('--full');
const changedOnly = args.includes('--changed');
const asked = args.filter((a) => !a.startsWith('--'));
const known = safety.groups.map((g) => g.name);
const unknown = asked.filter((a) => !known.includes(a));
if (unknown.length > 0) {
  console.error(`unknown group: ${unknown.join(', ')} (groups: ${known.join(', ')})`);
  process.exit(2);
}
const groups = asked.length > 0 ? asked : known;

/**
 * The group's modules whose source differs from the committed baseline (all of them without one).
 */
function changedModules(group) {
  const baseline = new URL(`test/mutation/incremental/${group}.json`, root);
  if (!existsSync(baseline)) return safety.groups.find((g) => g.name === group).modules;
  const files = JSON.parse(readFileSync(baseline, 'utf8')).files;
  const modules = safety.groups.find((g) => g.name === group).modules;
  return modules.filter((m) => files[m]?.source !== readFileSync(new URL(m, root), 'utf8'));
}

let failed = false;
for (const group of groups) {
  if (changedOnly) {
    const changed = changedModules(group);
    if (changed.length === 0) {
      console.error(`mutate: group ${group}: no module changed since its baseline; scored from it`);
      mkdirSync(new URL('reports/mutation/', root), { recursive: true });
      copyFileSync(
        new URL(`test/mutation/incremental/${group}.json`, root),
        new URL(`reports/mutation/${group}.json`, root),
      );
      continue;
    }
    console.error(`mutate: group ${group}: changed since its baseline: ${changed.join(', ')}`);
  }
  const started = Date.now();
  console.error(`mutate: group ${group}${full ? ' (full run)' : ''}`);
  const strykerArgs = ['stryker', 'run', '--incremental', ...(full ? ['--force'] : [])];
  const run = spawnSync('npx', strykerArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SFSYNC_MUTATE_GROUP: group },
  });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.error(`mutate: group ${group} took ${minutes} min, exit ${run.status}`);
  // Stryker exits 1 when the group's total is under `break`; the per-module table says which.
  if (run.status !== 0) failed = true;
}

const scores = spawnSync('node', ['scripts/mutation-scores.js', ...groups], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(failed || scores.status !== 0 ? 1 : 0);
