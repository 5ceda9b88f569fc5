import { MISMATCH_CLASSES, type MismatchClass, type RowClass } from '../audit/types.js';
import { maxOf } from '../arrays.js';

/** One entity in one recorded audit run. */
export interface HistoryPoint {
  readonly runId: string;
  readonly entity: string;
  readonly recordedAt: Date;
  readonly sourceRows: number | null;
  readonly mirrorRows: number;
  readonly unsyncedRows: number;
  readonly oldestUnsyncedAgeSeconds: number | null;
  readonly counts: Readonly<Partial<Record<RowClass, number>>>;
}

/** A row of sfsync.history the readers leave out, and the first problem found in it. */
export interface IgnoredRow {
  readonly runId: string;
  readonly entity: string;
  readonly reason: string;
}

export interface Increase {
  readonly entity: string;
  readonly class: MismatchClass;
  readonly before: number;
  readonly after: number;
}

/**
 * The classes that grew for each entity since its previous recorded run. An
 * entity never recorded before has no baseline, so it grows nothing: the first
 * recorded run is the known backlog.
 */
export function increases(
  current: readonly {
    readonly name: string;
    readonly readOnly: boolean;
    readonly counts: Readonly<Record<RowClass, number>>;
  }[],
  previous: ReadonlyMap<string, HistoryPoint>,
  classes: readonly MismatchClass[] = MISMATCH_CLASSES,
): Increase[] {
  const grown: Increase[] = [];
  for (const entity of current) {
    const before = previous.get(entity.name);
    if (!before || entity.readOnly) continue;
    for (const cls of classes) {
      const was = before.counts[cls] ?? 0;
      if (entity.counts[cls] > was)
        grown.push({ entity: entity.name, class: cls, before: was, after: entity.counts[cls] });
    }
  }
  return grown;
}

export function mismatchesOf(point: HistoryPoint): number {
  return MISMATCH_CLASSES.reduce((total, cls) => total + (point.counts[cls] ?? 0), 0);
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A trend in one line of block characters, scaled from 0 (so a flat non-zero line reads as
 * non-zero).
 */
export function sparkline(values: readonly number[]): string {
  const max = maxOf(values, 0);
  return values
    .map((v) =>
      max === 0
        ? BARS[0]
        : BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))],
    )
    .join('');
}

/** Recorded points summed per run, oldest first: the whole mirror's mismatches over time. */
export function totalsPerRun(
  points: readonly HistoryPoint[],
): { runId: string; recordedAt: Date; mismatches: number }[] {
  const runs = new Map<string, { runId: string; recordedAt: Date; mismatches: number }>();
  for (const p of points) {
    const run = runs.get(p.runId) ?? { runId: p.runId, recordedAt: p.recordedAt, mismatches: 0 };
    run.mismatches += mismatchesOf(p);
    runs.set(p.runId, run);
  }
  return [...runs.values()].sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
}
