import { describe, expect, it } from 'vitest';
import {
  bestSegmentRows,
  costPerRowAt,
  damageRate,
  estimateCosts,
  MAX_ROUND_SEGMENTS,
  MIN_SEGMENT_ROWS,
  SEGMENT_BYTES,
  SEGMENT_WORK_BYTES,
  STREAMED_ROW_BYTES,
  streamedShare,
} from '../../src/core/methods/checksum-costs.js';

describe('damageRate', () => {
  it('inverts the share of differing segments (Poisson): 1 - e^-1 at one a segment', () => {
    const segments = 10_000;
    const differing = Math.round(segments * (1 - Math.exp(-1)));
    expect(damageRate(differing, segments, 8)).toBeCloseTo(1 / 8, 3);
  });

  it('is 0 with nothing differing, and finite when every segment differs', () => {
    expect(damageRate(0, 1_000, 8)).toBe(0);
    expect(damageRate(0, 0, 8)).toBe(0);
    const all = damageRate(1_000, 1_000, 8);
    expect(Number.isFinite(all)).toBe(true);
    // At least as much as any share short of all of them says.
    expect(all).toBeGreaterThan(damageRate(999, 1_000, 8));
  });
});

describe('bestSegmentRows', () => {
  it('keeps the largest segments on a healthy mirror', () => {
    expect(bestSegmentRows(0, 2_000)).toBe(2_000);
  });

  it('near sqrt(segment cost / (rate × row bytes)) at light damage, the analytic optimum', () => {
    const rate = 0.001;
    const analytic = Math.sqrt((SEGMENT_BYTES + SEGMENT_WORK_BYTES) / (rate * STREAMED_ROW_BYTES));
    const rows = bestSegmentRows(rate, 2_000);
    expect(rows).toBeGreaterThan(analytic * 0.75);
    expect(rows).toBeLessThan(analytic * 1.25);
    // And no size on a fine grid costs noticeably less.
    for (let r = MIN_SEGMENT_ROWS; r <= 2_000; r++)
      expect(costPerRowAt(rate, rows)).toBeLessThanOrEqual(costPerRowAt(rate, r) * 1.02);
  });

  it('never goes below MIN_SEGMENT_ROWS, nor above the largest', () => {
    expect(bestSegmentRows(0.2, 2_000)).toBe(MIN_SEGMENT_ROWS);
    // Damage everywhere: no size pays for its fingerprints; the largest streams least often.
    expect(bestSegmentRows(0.5, 2_000)).toBe(2_000);
    expect(bestSegmentRows(1e-9, 300)).toBe(300);
    expect(bestSegmentRows(0.01, 3)).toBe(3);
    expect(bestSegmentRows(0.01, 2_000)).toBeLessThan(40);
    expect(bestSegmentRows(0.01, 2_000, 40)).toBe(40);
    expect(bestSegmentRows(0.01, 30, 40)).toBe(30);
  });
});

describe('estimateCosts', () => {
  it('0.1% damaged: the checksum, at under 10 bytes a row, with its reason', () => {
    const estimate = estimateCosts(0.001, { sampledRows: 10_000, largestSegment: 2_000 });
    expect(estimate.choice).toBe('checksum');
    expect(estimate.checksumBytesPerRow).toBeLessThan(10);
    expect(estimate.streamedShare).toBeCloseTo(streamedShare(0.001, estimate.segmentRows), 10);
    expect(estimate.reason).toBe(
      '0.10% of rows estimated damaged from 10000 sampled: checksum ~5.2 bytes/row ' +
        '(segments of 34, 3.3% of rows streamed), stream ~128',
    );
  });

  it('1% damaged: still the checksum, at a fifth of the stream bytes or less', () => {
    const estimate = estimateCosts(0.01, { sampledRows: 10_000, largestSegment: 2_000 });
    expect(estimate.choice).toBe('checksum');
    expect(estimate.checksumBytesPerRow).toBeLessThan(STREAMED_ROW_BYTES / 5);
  });

  it('damage everywhere: the stream, once the checksum would stream over a quarter', () => {
    expect(estimateCosts(0.1, { sampledRows: 10_000, largestSegment: 2_000 }).choice).toBe(
      'stream',
    );
    expect(estimateCosts(0.5, { sampledRows: 10_000, largestSegment: 2_000 }).choice).toBe(
      'stream',
    );
  });

  it('a big table splits no finer than MAX_ROUND_SEGMENTS: at 2% damaged it streams', () => {
    const at = (rate: number, tableRows: number) =>
      estimateCosts(rate, { sampledRows: 10_000, largestSegment: 2_000, tableRows });
    // 1M rows fit the cap at any segment size the model picks.
    expect(at(0.02, 1_000_000).segmentRows).toBe(at(0.02, 0).segmentRows);
    // 10M rows at 2%: the best segments (some 6 rows) would be 1.7M of them.
    const big = at(0.02, 10_000_000);
    expect(big.segmentRows).toBeGreaterThanOrEqual(10_000_000 / MAX_ROUND_SEGMENTS);
    expect(big.choice).toBe('stream');
    // 0.1% damaged keeps the checksum at 10M.
    expect(at(0.001, 10_000_000)).toMatchObject({ choice: 'checksum' });
    expect(at(0.001, 10_000_000).checksumBytesPerRow).toBeLessThan(10);
  });

  it('a healthy sample: the largest segments, next to nothing a row', () => {
    const estimate = estimateCosts(0, { sampledRows: 10_000, largestSegment: 2_000 });
    expect(estimate).toMatchObject({ choice: 'checksum', segmentRows: 2_000, streamedShare: 0 });
    expect(estimate.checksumBytesPerRow).toBeCloseTo(SEGMENT_BYTES / 2_000, 10);
  });
});
