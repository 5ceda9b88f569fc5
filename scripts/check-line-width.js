// `npm run lint` (after biome): every line of the code and tests fits 100 columns, counted in
// characters. Biome wraps code to 100 but cannot split a long string, template or test name.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 100;
const files = execFileSync('git', ['ls-files', 'src', 'test', 'scripts', 'bench', 'bin'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.startsWith('test/mutation/'));
const long = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // deleted in the work tree, not yet in the index
  }
  text.split('\n').forEach((line, i) => {
    const width = [...line].length;
    if (width > LIMIT) long.push(`${file}:${i + 1}: ${width} columns`);
  });
}
if (long.length > 0) {
  console.error(`${long.length} line(s) wider than ${LIMIT} columns:\n${long.join('\n')}`);
  process.exit(1);
}
