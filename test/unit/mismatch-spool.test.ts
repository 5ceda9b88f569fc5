import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstMismatches } from '../../src/core/audit/first-mismatches.js';
import type { Mismatch } from '../../src/core/audit/types.js';
import { spillingMismatches } from '../../src/ops/audit/mismatch-spool.js';
import { mismatch } from '../support/audit-fixtures.js';

const spillFiles = () =>
  readdirSync(tmpdir()).filter((name) => name.startsWith(`sfsync-mismatches-${process.pid}-`));

/** Mismatches carrying values of every type a drifted field can hold. */
function drifted(n: number): Mismatch {
  return mismatch({
    key: `k${String(n).padStart(6, '0')} ✓`,
    class: 'drift',
    fields: [
      { column: 'at', source: new Date(Date.UTC(2026, 0, 1, 0, 0, n)), mirror: null },
      { column: 'blob', source: Buffer.from([n & 255, 0, 255]), mirror: Buffer.alloc(0) },
      { column: 'big', source: 2n ** 70n + BigInt(n), mirror: { nested: [n, 'x'] } },
    ],
    mirror: { id: n, sfid: null, lastop: 'FAILED', hcErr: `err ${n}` },
  });
}

describe('spillingMismatches', () => {
  it('gives back every mismatch, in order and with its values, wherever the limit falls', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 60 }),
        (sizes, limit) => {
          let n = 0;
          const batches = sizes.map((size) => Array.from({ length: size }, () => drifted(n++)));
          const spool = spillingMismatches(limit);
          for (const batch of batches) spool.add(batch);
          const list = spool.finish();
          const all = batches.flat();
          expect(list.length).toBe(all.length);
          // Twice: every pass reads the file from its start.
          expect([...list]).toEqual(all);
          expect([...list]).toEqual(all);
          expect(firstMismatches(list, 3)).toEqual(all.slice(0, 3));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('opens no file while the mismatches fit, and leaves none in the temporary directory', () => {
    const before = spillFiles().length;
    const small = spillingMismatches(10);
    small.add([drifted(1), drifted(2)]);
    expect([...small.finish()]).toHaveLength(2);
    const big = spillingMismatches(1);
    big.add(Array.from({ length: 500 }, (_, i) => drifted(i)));
    const list = big.finish();
    // Unlinked as soon as it was opened: readable through its descriptor, invisible by name.
    expect(spillFiles().length).toBe(before);
    expect([...list].at(-1)).toEqual(drifted(499));
  });

  it('refuses a mismatch added after the list was handed out', () => {
    const spool = spillingMismatches(0);
    spool.add([drifted(1)]);
    spool.finish();
    expect(() => spool.add([drifted(2)])).toThrow(/after the list was read/);
  });
});

describe('firstMismatches', () => {
  it('stops reading at the count asked for', () => {
    let read = 0;
    const list = {
      length: 100,
      *[Symbol.iterator]() {
        for (let i = 0; i < 100; i++) {
          read++;
          yield drifted(i);
        }
      },
    };
    expect(firstMismatches(list, 5).map((m) => m.mirror?.id)).toEqual([0, 1, 2, 3, 4]);
    expect(read).toBe(5);
    expect(firstMismatches(list, 0)).toEqual([]);
  });
});
