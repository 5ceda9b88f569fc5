import { ROW_CLASSES, type EntityAudit, type RowClass } from './types.js';
import type { Shard } from '../methods/shard.js';

/** What an audit found, as every report format, merge and history read it. */
export interface AuditResult {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Reported entities, canonical order. */
  readonly order: readonly string[];
  readonly entities: readonly EntityAudit[];
  readonly totals: Readonly<Record<RowClass, number>> & {
    readonly sourceRows: number;
    readonly mirrorRows: number;
    readonly mismatches: number;
  };
  /** Bytes received from both databases while auditing (the client sockets' counters). */
  readonly bytesRead?: number;
  /** The shard audited (`--shard`); undefined: every key. */
  readonly shard?: Shard | undefined;
}

export function emptyCounts(): Record<RowClass, number> {
  return Object.fromEntries(ROW_CLASSES.map((c) => [c, 0])) as Record<RowClass, number>;
}

/** The audit's totals: every entity's counts, rows and mismatches added up. */
export function auditTotals(entities: readonly EntityAudit[]): AuditResult['totals'] {
  const totals = { ...emptyCounts(), sourceRows: 0, mirrorRows: 0, mismatches: 0 };
  for (const audit of entities) {
    for (const cls of ROW_CLASSES) totals[cls] += audit.counts[cls];
    totals.sourceRows += audit.sourceRows ?? 0;
    totals.mirrorRows += audit.mirrorRows;
    totals.mismatches += audit.mismatches.length;
  }
  return totals;
}
