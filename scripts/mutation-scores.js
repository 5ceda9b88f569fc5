// Prints the mutation score of each safety-critical module from Stryker's JSON reports
// (reports/mutation/<group>.json) and exits 1 if any is under the threshold. Stryker's own
// `break` threshold judges a group's total; this holds every module to it.
// Usage: node scripts/mutation-scores.js [group…]  (default: every group)
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const safety = JSON.parse(readFileSync(new URL('test/mutation/safety-modules.json', root), 'utf8'));
const asked = process.argv.slice(2);
const groups = safety.groups.filter((g) => asked.length === 0 || asked.includes(g.name));

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function scoreOf(file) {
  let detected = 0;
  let undetected = 0;
  for (const mutant of file.mutants) {
    if (DETECTED.has(mutant.status)) detected++;
    else if (UNDETECTED.has(mutant.status)) undetected++;
  }
  const total = detected + undetected;
  return { detected, undetected, score: total === 0 ? 100 : (100 * detected) / total };
}

const rows = [];
for (const group of groups) {
  const path = new URL(`reports/mutation/${group.name}.json`, root);
  const report = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : { files: {} };
  for (const module of group.modules) {
    const file = report.files[module];
    const measured = file ? scoreOf(file) : { detected: 0, undetected: 0, score: Number.NaN };
    rows.push({ module, ...measured });
  }
}

const width = rows.reduce((w, r) => Math.max(w, r.module.length), 0);
console.log(`${'module'.padEnd(width)}  score  killed  survived`);
for (const r of rows) {
  const score = Number.isNaN(r.score) ? '  n/a' : r.score.toFixed(1).padStart(5);
  const killed = String(r.detected).padStart(6);
  console.log(
    `${r.module.padEnd(width)}  ${score}  ${killed}  ${String(r.undetected).padStart(8)}`,
  );
}
const low = rows.filter((r) => !(r.score >= safety.threshold));
if (low.length > 0) {
  const names = low.map((r) => r.module).join(', ');
  console.error(`mutation score under ${safety.threshold}% (or not measured): ${names}`);
  process.exit(1);
}
