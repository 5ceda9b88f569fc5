import { describe, expect, it } from 'vitest';
import { auditTotals, type AuditResult } from '../../src/core/audit/result.js';
import type { MethodWhy } from '../../src/core/audit/types.js';
import { mergeAudits } from '../../src/core/audit/merge.js';
import { entitySchema } from '../../src/cli/reports/audit-report-schema.js';

import { entityAudit } from '../support/audit-fixtures.js';

function shard(index: number, methodChoice: MethodWhy | null): AuditResult {
  const entities = [entityAudit([], { methodChoice })];
  return {
    startedAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: new Date('2026-01-01T00:00:01Z'),
    order: ['e'],
    entities,
    totals: auditTotals(entities),
    shard: { index, count: 2 },
  };
}

const merged = (a: MethodWhy | null, b: MethodWhy | null) =>
  mergeAudits([
    { file: 'a.json', audit: shard(1, a) },
    { file: 'b.json', audit: shard(2, b) },
  ]).entities[0]!.methodChoice;

describe('merge: why a method', () => {
  it('keeps the reason every shard gave', () => {
    const why = { reason: 'asked for with --method' };
    expect(merged(why, { ...why })).toEqual(why);
  });

  it('gives none when the shards chose for reasons of their own', () => {
    const estimate = (damagedShare: number): MethodWhy => ({
      reason: `${damagedShare}`,
      estimate: {
        damagedShare,
        sampledRows: 10_000,
        segmentRows: 16,
        streamedShare: 0.016,
        checksumBytesPerRow: 4.1,
        streamBytesPerRow: 128,
        choice: 'checksum',
      },
    });
    expect(merged(estimate(0.001), estimate(0.0012))).toBeNull();
    expect(merged(estimate(0.001), null)).toBeNull();
  });
});

describe('reading a report from before methodChoice', () => {
  it('reads the missing reason as null, and checks one that is there', () => {
    const { methodChoice: _, ...old } = entityAudit([]);
    expect(entitySchema.parse(old).methodChoice).toBeNull();
    const why = { reason: 'asked for with --method' };
    expect(entitySchema.parse({ ...old, methodChoice: why }).methodChoice).toEqual(why);
    expect(() => entitySchema.parse({ ...old, methodChoice: { reason: 7 } })).toThrow();
  });
});
