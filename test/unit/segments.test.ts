import { describe, expect, it } from 'vitest';
import { MAX_ROUND_SEGMENTS } from '../../src/core/methods/checksum-costs.js';
import {
  compareFingerprints,
  decideSplit,
  DEFAULT_TUNING,
  firstModulus,
  inStreamed,
  MAX_DEPTH,
  nextModulus,
  sampleScope,
  SAMPLE_SEGMENT_ROWS,
} from '../../src/core/methods/segments.js';

/** Fingerprints as the database packs them: a 4-byte id, an 8-byte hash, sorted by id. */
function pack(entries: [number, bigint][]): Uint8Array {
  const bytes = new Uint8Array(entries.length * 12);
  const view = new DataView(bytes.buffer);
  entries.forEach(([id, hash], i) => {
    view.setUint32(i * 12, id);
    view.setBigUint64(i * 12 + 4, hash);
  });
  return bytes;
}

describe('compareFingerprints', () => {
  it('finds segments that differ or that one side lacks, and counts every segment once', () => {
    const source = pack([
      [0, 1n],
      [2, 5n],
      [3, 7n],
      [9, 2n ** 64n - 1n],
    ]);
    const mirror = pack([
      [0, 1n],
      [1, 4n],
      [3, 8n],
      [9, 2n ** 64n - 1n],
      [12, 0n],
    ]);
    expect(compareFingerprints(source, mirror)).toEqual({ differing: [1, 2, 3, 12], segments: 6 });
  });

  it('reads packed bytes at an offset inside a larger buffer (as Buffer.from gives them)', () => {
    const inner = pack([[7, 3n]]);
    const outer = new Uint8Array(inner.length + 5);
    outer.set(inner, 5);
    const view = outer.subarray(5);
    expect(compareFingerprints(view, pack([[7, 3n]]))).toEqual({ differing: [], segments: 1 });
    expect(compareFingerprints(view, new Uint8Array(0))).toEqual({ differing: [7], segments: 1 });
  });
});

describe('decideSplit', () => {
  const table = { tableRows: 1_000_000, depth: 0 };
  /** A first round over a whole table of `rows` rows. */
  const wholeTable = (rows: number, segments: number, differing: number) => ({
    tableRows: rows,
    depth: 0,
    scopeRows: rows,
    segments,
    differing,
  });

  it('streams once the differing segments hold few rows', () => {
    const round = { ...table, scopeRows: 1_000_000, segments: 500, differing: 3 };
    expect(decideSplit(round)).toEqual({ stream: true });
  });

  it('splits many rows of few damaged ones: a second scan costs less than streaming them', () => {
    // 10M rows, healthy-looking sample, 1,000 damaged rows: nearly every 2,000-row segment differs
    // once each.
    const decision = decideSplit(wholeTable(10_000_000, 5_000, 906));
    expect(decision.stream).toBe(false);
    if (!decision.stream) expect(decision.rows).toBeLessThan(100);
  });

  it('streams when splitting would not pay for its scan', () => {
    const round = { ...table, scopeRows: 1_000_000, segments: 62_500, differing: 1_000 };
    expect(decideSplit(round)).toEqual({ stream: true });
  });

  it('never fingerprints more than MAX_ROUND_SEGMENTS in a round', () => {
    // 100M rows, every 2,000-row segment differing once: the best split (some 34 rows) would
    // fingerprint 3M segments.
    const round = wholeTable(100_000_000, 50_000, 50_000);
    const decision = decideSplit(round);
    expect(decision.stream).toBe(false);
    if (!decision.stream) {
      expect(100_000_000 / decision.rows).toBeLessThanOrEqual(MAX_ROUND_SEGMENTS);
      expect(decision.rows).toBeLessThan(2_000 / 2);
    }
    // Segments too small to halve within the cap are streamed.
    const fine = { ...round, segments: MAX_ROUND_SEGMENTS, differing: MAX_ROUND_SEGMENTS };
    expect(decideSplit(fine)).toEqual({ stream: true });
  });

  it('never splits past MAX_DEPTH', () => {
    const round = { ...wholeTable(10_000_000, 5_000, 906), depth: MAX_DEPTH };
    expect(decideSplit(round)).toEqual({ stream: true });
  });
});

describe('the sample and the moduli', () => {
  it('samples about sampleRows rows in segments of about 8, only from 5 samples up', () => {
    expect(sampleScope(49_999)).toBeUndefined();
    const sample = sampleScope(1_000_000)!;
    expect(sample.below).toBe(DEFAULT_TUNING.sampleRows / SAMPLE_SEGMENT_ROWS);
    const sampled = (1_000_000 * sample.below) / sample.modulus;
    expect(sampled).toBeCloseTo(DEFAULT_TUNING.sampleRows, -2);
  });

  it('sizes the first round, caps it at MAX_ROUND_SEGMENTS, and keeps each next a multiple', () => {
    expect(firstModulus(1_000_000, 16)).toBe(62_500);
    expect(firstModulus(0, 2_000)).toBe(1);
    expect(firstModulus(1e12, 4)).toBe(MAX_ROUND_SEGMENTS);
    expect(firstModulus(10_000_000, 6)).toBe(MAX_ROUND_SEGMENTS);
    expect(nextModulus(500, 2_000, 25)).toBe(40_000);
    expect(nextModulus(500, 10, 9)).toBe(1_000);
  });

  it('places a key hash in the streamed segments only when every round had it differ', () => {
    const moduli = [5, 20];
    const hash = 17n; // 17 mod 5 = 2, 17 mod 20 = 17
    expect(inStreamed(hash, moduli, [new Set([2]), new Set([17])])).toBe(true);
    expect(inStreamed(hash, moduli, [new Set([2]), new Set([7])])).toBe(false);
    expect(inStreamed(hash, moduli, [new Set([3]), new Set([17])])).toBe(false);
  });
});
