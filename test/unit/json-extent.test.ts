import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonExtent } from '../../src/cli/reports/json-extent.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The nesting of a parsed value, counted as the scanner counts it (a bare value: 0). */
function depth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce((deepest: number, child) => Math.max(deepest, depth(child)), 0);
}

describe('jsonExtent: the depth and printed length of a JSON text, before parsing it', () => {
  it('measures exactly what JSON.stringify(v, null, 2) prints, from minified or printed', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const printed = JSON.stringify(value, null, 2);
        for (const text of [JSON.stringify(value), printed, `\n ${printed}\n`]) {
          expect(jsonExtent(bytes(text), 64)).toEqual({
            depth: depth(value),
            printedLength: printed.length,
          });
        }
      }),
      { seed: 18, numRuns: 2000 },
    );
  });

  it('counts no structure inside strings (escaped quotes and backslashes included)', () => {
    const value = { a: '[{"x":1},\\"]}', b: ['\\', '"', '{'] };
    expect(jsonExtent(bytes(JSON.stringify(value)), 64)).toEqual({
      depth: 2,
      printedLength: JSON.stringify(value, null, 2).length,
    });
  });

  it('stops at the first level past the limit, however deep the text goes', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(jsonExtent(bytes(deep(64)), 64)?.depth).toBe(64);
    expect(jsonExtent(bytes(deep(65)), 64)).toBeUndefined();
    expect(jsonExtent(bytes(deep(1_000_000)), 64)).toBeUndefined();
  });

  it('sees a minified text that prints many times longer than it reads', () => {
    // A million zeros four levels deep: 2 MB as read, 12 MB as printed (each on its own indented
    // line).
    const text = `[[[[${Array.from({ length: 1_000_000 }, () => '0').join(',')}]]]]`;
    const extent = jsonExtent(bytes(text), 64)!;
    expect(extent.printedLength).toBe(JSON.stringify(JSON.parse(text), null, 2).length);
    expect(extent.printedLength / text.length).toBeGreaterThan(5);
  });
});
