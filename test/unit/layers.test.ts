import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

/**
 * The layer rule, as the code has it: each layer imports only the layers below
 * it, and errors.ts, the floor, which imports nothing. Read from every form an
 * import takes: `import … from`, `import type`, `export … from`, a bare
 * `import '…'` and `import('…')`.
 */
const LAYERS = ['cli', 'render', 'ops', 'sim', 'db', 'config', 'core'] as const;
const FLOOR = 'errors.ts';

/**
 * Packages that belong to one place: the terminal to cli/ and render/, the driver to db/ (and the
 * simulator, which plays Connect).
 */
const PACKAGE_HOMES: readonly { pattern: RegExp; layers: readonly string[] }[] = [
  { pattern: /^(commander|ora)$/, layers: ['cli'] },
  { pattern: /^(cli-table3|string-width|prom-client)$/, layers: ['cli', 'render'] },
  { pattern: /^(pg|pg-connection-string)$/, layers: ['db', 'sim'] },
];

const SRC = `${ROOT}src`;
const IMPORT = new RegExp(
  /(?:^|[\s;}])(?:import|export)\s[^;'"`]*?from\s*['"]([^'"]+)['"]/.source +
    '|' +
    /(?:^|[\s;])import\s*['"]([^'"]+)['"]/.source +
    '|' +
    /import\(\s*([^)]*?)\s*\)/.source,
  'gm',
);

interface Import {
  readonly file: string;
  readonly specifier: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The specifiers a source text imports; a dynamic import of anything but a string literal as
 * `<computed>`.
 */
function specifiers(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((match) => {
    const dynamic = match[3]?.match(/^['"]([^'"]+)['"]$/)?.[1];
    return match[1] ?? match[2] ?? dynamic ?? (match[3] === undefined ? '' : '<computed>');
  });
}

function imports(): Import[] {
  return sourceFiles(SRC).flatMap((path) => {
    const file = relative(SRC, path);
    return specifiers(readFileSync(path, 'utf8')).map((specifier) => ({ file, specifier }));
  });
}

/** The layer of a path under src/: its first folder, or the floor file. */
function layerOf(file: string): string {
  return file.includes('/') ? file.split('/')[0]! : file;
}

function mayImport(from: string, to: string): boolean {
  if (from === to || to === FLOOR.replace('.ts', '.js') || to === FLOOR) return from !== FLOOR;
  const below = LAYERS.indexOf(from as (typeof LAYERS)[number]);
  const target = LAYERS.indexOf(to as (typeof LAYERS)[number]);
  return below >= 0 && target > below;
}

describe('the layers of src/', () => {
  const all = imports();

  it('are read from every form of import, computed ones flagged', () => {
    const text = [
      "import { a } from '../db/a.js';",
      "import type { B } from '../db/b.js';",
      'import {\n  c,\n  d,\n} from "../db/c.js";',
      "export { e } from '../db/e.js';",
      "export * from '../db/f.js';",
      "import '../db/g.js';",
      "const h = await import('../db/h.js');",
      'const i = await import(name);',
      "const text = 'not an import from here';",
    ].join('\n');
    expect(specifiers(text)).toEqual([
      '../db/a.js',
      '../db/b.js',
      '../db/c.js',
      '../db/e.js',
      '../db/f.js',
      '../db/g.js',
      '../db/h.js',
      '<computed>',
    ]);
    expect(all.length).toBeGreaterThan(500);
    expect(all.filter((i) => i.specifier === '<computed>')).toEqual([]);
  });

  it('only import down: cli → render → ops → sim → db → config → core, all onto errors.ts', () => {
    const offenders = all
      .filter((i) => i.specifier.startsWith('.'))
      .map((i) => ({
        ...i,
        to: layerOf(relative(SRC, resolve(SRC, dirname(i.file), i.specifier))),
      }))
      .filter((i) => !mayImport(layerOf(i.file), i.to))
      .map((i) => `${i.file} imports ${i.specifier} (${layerOf(i.file)} → ${i.to})`);
    expect(offenders).toEqual([]);
  });

  it('let render/ draw from results alone: at run time it loads just core/ and itself', () => {
    const offenders = all
      .filter((i) => i.file.startsWith('render/') && i.specifier.startsWith('.'))
      .filter((i) =>
        runtimeSpecifiers(readFileSync(`${SRC}/${i.file}`, 'utf8')).includes(i.specifier),
      )
      .map((i) => ({
        ...i,
        to: layerOf(relative(SRC, resolve(SRC, dirname(i.file), i.specifier))),
      }))
      .filter((i) => i.to !== 'render' && i.to !== 'core')
      .map((i) => `${i.file} loads ${i.specifier}`);
    expect(offenders).toEqual([]);
  });

  it('keep core/ pure: no package and no Node built-in', () => {
    const offenders = all
      .filter((i) => i.file.startsWith('core/') && !i.specifier.startsWith('.'))
      .map((i) => `${i.file} imports ${i.specifier}`);
    expect(offenders).toEqual([]);
  });

  it('keep each package in its home: the terminal in cli/, the driver in db/', () => {
    const offenders = all.flatMap((i) => {
      const home = PACKAGE_HOMES.find((h) => h.pattern.test(i.specifier));
      return home && !home.layers.includes(layerOf(i.file))
        ? [`${i.file} imports ${i.specifier}`]
        : [];
    });
    expect(offenders).toEqual([]);
  });
});

/**
 * An import that TypeScript erases: `import type`, `export type`, or braces of `type` names only.
 */
const TYPE_ONLY =
  /^\s*(?:import|export)\s+(?:type\s|\{\s*(?:type\s+[\w$]+(?:\s+as\s+[\w$]+)?\s*,?\s*)+\}\s*from)/;

/** The specifiers a source text loads when it runs: its imports but the type-only ones. */
function runtimeSpecifiers(text: string): string[] {
  return [...text.matchAll(IMPORT)]
    .filter((match) => !TYPE_ONLY.test(match[0].replace(/^[\s;}]/, '')))
    .map((match) => specifiers(match[0])[0]!);
}

/**
 * Every package a source file reaches through its imports, static and dynamic, however deep; the
 * walk does not enter the files in `past`.
 */
function packagesReached(start: string, past: readonly string[] = []): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>(past);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(readFileSync(`${SRC}/${file}`, 'utf8'))) {
      if (!specifier.startsWith('.')) packages.add(specifier);
      else
        queue.push(relative(SRC, resolve(SRC, dirname(file), specifier)).replace(/\.js$/, '.ts'));
    }
  }
  return packages;
}

describe('what a command loads', () => {
  it('merge reads reports and writes one: only the history it may record loads the driver', () => {
    const driver = (packages: Set<string>) =>
      [...packages].filter((p) => /^(pg|pg-connection-string|kysely)$/.test(p));
    // The history (--record, --fail-on-increase) is loaded on use; nothing else reaches pg.
    const withoutHistory = packagesReached('cli/commands/merge.ts', ['ops/history.ts']);
    expect(driver(withoutHistory)).toEqual([]);
    // The walk follows merge's own dynamic imports: it reaches what they load.
    expect(withoutHistory).toContain('commander');
    expect(driver(packagesReached('cli/commands/merge.ts'))).toContain('pg');
  });

  it('type-only imports are left out of the walk: TypeScript erases them', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B, type C as D } from './b.js';",
      "export type { E } from './e.js';",
      "import { type F, g } from './f.js';",
      "import h from './h.js';",
    ].join('\n');
    expect(runtimeSpecifiers(text)).toEqual(['./f.js', './h.js']);
  });

  it('audit does load it (the walk would see the driver if merge reached it)', () => {
    expect([...packagesReached('cli/commands/audit.ts')]).toContain('pg');
  });
});

describe('the layer rule itself', () => {
  it.each([
    ['cli', 'ops', true],
    ['cli', 'render', true],
    ['render', 'core', true],
    ['render', 'cli', false],
    ['ops', 'render', false],
    ['ops', 'db', true],
    ['db', 'core', true],
    ['core', 'errors.js', true],
    ['db', 'db', true],
    ['core', 'config', false],
    ['db', 'ops', false],
    ['config', 'db', false],
    ['sim', 'ops', false],
    ['ops', 'cli', false],
  ])('%s may import %s: %s', (from, to, allowed) => {
    expect(mayImport(from, to)).toBe(allowed);
  });
});
