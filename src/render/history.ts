import { utc } from '../core/time-text.js';
import { MISMATCH_CLASSES } from '../core/audit/types.js';
import {
  mismatchesOf,
  sparkline,
  type HistoryPoint,
  type IgnoredRow,
} from '../core/history/trend.js';
import { renderJson } from './json.js';
import { DEFAULT_WIDTH, renderTable } from './table.js';
import { cellText } from './terminal-text.js';

function byEntity(
  points: readonly HistoryPoint[],
  order: readonly string[],
): [string, HistoryPoint[]][] {
  const groups = new Map<string, HistoryPoint[]>(order.map((name) => [name, []]));
  for (const p of points) groups.get(p.entity)?.push(p);
  return [...groups].filter(([, runs]) => runs.length > 0);
}

/**
 * Per entity: the trend of its mismatches over the recorded runs (oldest → newest), the latest
 * counts and what changed since the run before.
 */
export function renderHistoryTable(
  points: readonly HistoryPoint[],
  order: readonly string[],
  width: number = DEFAULT_WIDTH,
): string {
  const groups = byEntity(points, order);
  if (groups.length === 0)
    return (
      'no recorded audits yet: ' +
      'run `sfsync audit --record` (nightly, say) to start the history\n'
    );
  const rows = groups.map(([entity, runs]) => {
    const totals = runs.map(mismatchesOf);
    const last = runs.at(-1)!;
    const before = runs.at(-2);
    return [
      entity,
      runs.length,
      sparkline(totals),
      totals.join(' → '),
      utc(last.recordedAt),
      before ? changes(before, last) : 'first run',
    ];
  });
  const head = [
    'Entity',
    'Runs',
    'Trend',
    'Mismatches (oldest → newest)',
    'Last recorded',
    'Since the run before',
  ];
  return `${renderTable(head, rows, { width })}\n`;
}

function changes(before: HistoryPoint, after: HistoryPoint): string {
  const moved = MISMATCH_CLASSES.map((cls) => ({
    cls,
    delta: (after.counts[cls] ?? 0) - (before.counts[cls] ?? 0),
  })).filter((c) => c.delta !== 0);
  return moved.length === 0
    ? 'no change'
    : moved.map((c) => `${c.delta > 0 ? '+' : ''}${c.delta} ${c.cls}`).join(', ');
}

export function renderHistoryJson(
  points: readonly HistoryPoint[],
  order: readonly string[],
): string {
  return renderJson('history', {
    entities: byEntity(points, order).map(([name, runs]) => ({
      name,
      runs: runs.map((p) => ({
        runId: p.runId,
        recordedAt: p.recordedAt.toISOString(),
        mismatches: mismatchesOf(p),
        counts: p.counts,
        sourceRows: p.sourceRows,
        mirrorRows: p.mirrorRows,
        unsyncedRows: p.unsyncedRows,
        oldestUnsyncedAgeSeconds: p.oldestUnsyncedAgeSeconds,
      })),
    })),
  });
}

/** The one warning line about rows of sfsync.history a run left out (none: nothing to say). */
export function renderIgnoredHistory(ignored: readonly IgnoredRow[]): string {
  const first = ignored[0];
  if (!first) return '';
  // Hand-edited rows: their text is shown escaped, on one line.
  const shown = (text: string) => cellText(text, 200).replaceAll('\n', '\\n');
  const rows = ignored.length === 1 ? '1 row' : `${ignored.length} rows`;
  return (
    `sfsync: warning: ignored ${rows} of sfsync.history that cannot be trusted ` +
    `(first: run ${shown(first.runId)}, entity ${shown(first.entity)}: ${shown(first.reason)}); ` +
    `delete or correct ${ignored.length === 1 ? 'it' : 'them'}\n`
  );
}
