import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/core/methods/key-order.js';
import type { Suspect, SuspectList } from '../../src/core/methods/key-summary.js';
import { spillingSuspects } from '../../src/ops/audit/suspect-spool.js';

async function readBack(list: SuspectList, chunk: number): Promise<Suspect[]> {
  const all: Suspect[] = [];
  for await (const part of list.chunks(chunk)) {
    expect(part.length).toBeGreaterThan(0);
    expect(part.length).toBeLessThanOrEqual(chunk);
    for (const s of part) all.push(s);
  }
  return all;
}

const sorted = (suspects: readonly Suspect[]) =>
  [...suspects].sort((a, b) => compareKeys(a.key, b.key));
const spillFiles = () =>
  readdirSync(tmpdir()).filter((name) => name.startsWith(`sfsync-suspects-${process.pid}-`));

describe('spillingSuspects', () => {
  const suspect = fc.record({
    key: fc.string({
      unit: fc.constantFrom('a', 'Z', '0', 'é', '✓', '\uffff', '𝄞', '😀', '"', '\\', ' '),
      maxLength: 12,
    }),
    sourceRows: fc.nat({ max: 5 }),
    mirrorRows: fc.nat({ max: 70_000 }),
  });

  it('returns every suspect in key order, however added and wherever the limit falls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(suspect, { selector: (s) => s.key, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 50 }),
        async (suspects, limit, chunk) => {
          const list = spillingSuspects(limit);
          for (const s of suspects) list.add(s);
          expect(list.size).toBe(suspects.length);
          try {
            expect(await readBack(list, chunk)).toEqual(sorted(suspects));
          } finally {
            list.close();
          }
        },
      ),
      { seed: 18, numRuns: 300 },
    );
  });

  it('reads back 200,000 suspects, added in order past a limit of 1,000, in order', async () => {
    const list = spillingSuspects(1_000);
    const keys = Array.from({ length: 200_000 }, (_, i) => `key-${String(i).padStart(7, '0')}`);
    for (const key of keys) list.add({ key, sourceRows: 1, mirrorRows: 0 });
    try {
      const back = await readBack(list, 5_000);
      expect(back.map((s) => s.key)).toEqual(keys);
    } finally {
      list.close();
    }
  });

  it('leaves no file behind, spilled or not, read or not', async () => {
    const before = spillFiles().length;
    const read = spillingSuspects(2);
    const unread = spillingSuspects(2);
    for (const key of ['c', 'b', 'a']) {
      read.add({ key, sourceRows: 1, mirrorRows: 1 });
      unread.add({ key, sourceRows: 1, mirrorRows: 1 });
    }
    expect((await readBack(read, 10)).map((s) => s.key)).toEqual(['a', 'b', 'c']);
    read.close();
    unread.close();
    expect(spillFiles().length).toBe(before);
  });
});
