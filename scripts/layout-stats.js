// `node scripts/layout-stats.js [--edges] [--params N]`: the layout figures the architecture
// review asks for, read from src/ with the TypeScript parser (nothing is run): import edges
// between folders (runtime and type-only) and every function with N or more parameters.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const src = resolve(new URL('../src', import.meta.url).pathname);
const args = process.argv.slice(2);
const minParams = Number(args[args.indexOf('--params') + 1] || 6);

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The folder a file belongs to, relative to src/ ("." for src/errors.ts). */
const folderOf = (file) => relative(src, dirname(file)) || '.';

const edges = new Map();
const longLists = [];
for (const file of files(src)) {
  const text = readFileSync(file, 'utf8');
  const node = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier) {
      const spec = n.moduleSpecifier.text;
      if (spec.startsWith('.')) {
        const typeOnly = n.importClause?.isTypeOnly ?? n.isTypeOnly ?? false;
        const to = folderOf(resolve(dirname(file), spec));
        const from = folderOf(file);
        if (to !== from) {
          const key = `${from} -> ${to}${typeOnly ? ' (types)' : ''}`;
          edges.set(key, (edges.get(key) ?? 0) + 1);
        }
      }
    }
    if (ts.isFunctionLike(n) && n.parameters.length >= minParams) {
      const name = n.name?.getText() ?? n.parent?.name?.getText?.() ?? '(anonymous)';
      const line = node.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      longLists.push(`${n.parameters.length}  ${relative(src, file)}:${line} ${name}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
}

if (args.includes('--edges') || !args.includes('--params')) {
  console.log(`import edges between folders (${edges.size}):`);
  for (const [k, v] of [...edges].sort()) console.log(`  ${k}  ×${v}`);
}
console.log(`functions with ${minParams} or more parameters (${longLists.length}):`);
for (const l of longLists.sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10)))
  console.log(`  ${l}`);
