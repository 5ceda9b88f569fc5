import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

/** Every `f(...xs)` / `new F(...xs)` in the TypeScript files under `dir`, as `file:line: text`. */
function spreadCalls(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) check(full);
    }
  };
  const check = (file: string): void => {
    const source = ts.createSourceFile(
      file,
      readFileSync(file, 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node: ts.Node): void => {
      if (
        (ts.isCallExpression(node) || ts.isNewExpression(node)) &&
        node.arguments?.some(ts.isSpreadElement)
      ) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${relative(ROOT, file)}:${line + 1}: ${node.getText().slice(0, 80)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  };
  walk(dir);
  return found;
}

describe('calls with spread arguments', () => {
  // A spread argument puts every element on the stack: past ~100k elements V8 throws RangeError (a
  // backfill of 130k rows crashed in results.push(...list)). src/core/arrays.ts has appendAll and
  // maxOf for any length.
  it('appear nowhere in src/', () => {
    expect(spreadCalls(join(ROOT, 'src'))).toEqual([]);
  });

  it('are found by this check (it is not blind)', () => {
    const dir = join(ROOT, 'test/unit/fixtures-spread');
    expect(spreadCalls(dir)).toEqual([
      'test/unit/fixtures-spread/sample.ts:2: list.push(...more)',
      'test/unit/fixtures-spread/sample.ts:3: Math.max(1, ...more)',
      'test/unit/fixtures-spread/sample.ts:4: new Set(...[more])',
    ]);
  });
});
