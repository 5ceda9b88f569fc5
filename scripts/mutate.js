// `npm run mutate [-- --full] [group…]`: runs Stryker once per group of safety-critical
// modules (test/mutation/safety-modules.json), each against the tests that can see it,
// then prints every module's score and fails if one is under the threshold.
// Incremental by default: only mutants whose code or covering tests changed since the
// committed test/mutation/incremental/<group>.json are run again; --full reruns them all.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const safety = JSON.parse(readFileSync(new URL('test/mutation/safety-modules.json', root), 'utf8'));
const args = process.argv.slice(2);
const full = args.includes('--full');
const asked = args.filter((a) => !a.startsWith('--'));
const known = safety.groups.map((g) => g.name);
const unknown = asked.filter((a) => !known.includes(a));
if (unknown.length > 0) {
  console.error(`unknown group: ${unknown.join(', ')} (groups: ${known.join(', ')})`);
  process.exit(2);
}
const groups = asked.length > 0 ? asked : known;

let failed = false;
for (const group of groups) {
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

const scores = spawnSync('node', ['scripts/mutation-scores.js', ...groups], { cwd: root, stdio: 'inherit' });
process.exit(failed || scores.status !== 0 ? 1 : 0);
