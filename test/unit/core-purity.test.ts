import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

const FORBIDDEN = /^(node:|pg$|pg\/|kysely|ora|cli-table3|commander|p-limit|fs$|path$|os$|child_process$)/;

describe('src/core', () => {
  it('imports no IO (no database drivers, terminal libraries or Node built-ins) and nothing outside core but errors.ts, so config/ → core/ never cycles back', () => {
    const dir = `${ROOT}src/core`;
    const offenders: string[] = [];
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      for (const match of text.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)) {
        const specifier = match[1]!;
        const allowed = specifier.startsWith('./') || specifier === '../errors.js';
        if (FORBIDDEN.test(specifier) || !allowed) offenders.push(`${file} imports ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
