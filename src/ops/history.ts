import { randomUUID } from 'node:crypto';
import type { ResolvedTarget } from '../config/types.js';
import type { MismatchClass } from '../core/audit/types.js';
import {
  increases,
  type HistoryPoint,
  type IgnoredRow,
  type Increase,
} from '../core/history/trend.js';
import { connect, type SessionTimeouts } from '../db/driver/connect.js';
import {
  latestRecorded,
  readHistory,
  recordAudit,
  type HistoryRead,
} from '../db/sfsync/history.js';
import { ensureJournal } from '../db/sfsync/journal.js';
import type { AuditResult } from '../core/audit/result.js';
import { currentActor, currentHost } from './run-identity.js';

export interface HistoryOptions {
  /** --record: store this audit's summary. */
  readonly record: boolean;
  /** Compare with each entity's previous recorded run (for --fail-on-increase and --notify). */
  readonly compare: boolean;
  /** Classes whose growth counts. */
  readonly classes: readonly MismatchClass[];
  /** Recorded runs to return for a trend (0: none). */
  readonly trendRuns: number;
  readonly env: NodeJS.ProcessEnv;
  readonly timeouts?: SessionTimeouts | undefined;
}

export interface HistoryOutcome {
  /** Entities that had a previous recorded run to compare with. */
  readonly compared: readonly string[];
  readonly increases: readonly Increase[];
  /** Recorded runs, oldest first, the current one last when it was recorded. */
  readonly trend: readonly HistoryPoint[];
  /** Rows of sfsync.history left out of both because they cannot be trusted (each once). */
  readonly ignored: readonly IgnoredRow[];
}

/**
 * Compares an audit with the previous recorded one and records it, on one
 * mirror connection, after the audit's own read-only transactions. The
 * comparison reads before the insert, so "previous" is never this run.
 */
export async function compareAndRecord(
  target: ResolvedTarget,
  result: AuditResult,
  options: HistoryOptions,
): Promise<HistoryOutcome> {
  const mirror = await connect(target, {
    maxConnections: 1,
    purpose: 'history',
    timeouts: options.timeouts,
  });
  try {
    const names = result.entities.map((e) => e.name);
    const { latest: previous, ignored } = options.compare
      ? await latestRecorded(mirror.db, names)
      : { latest: new Map<string, HistoryPoint>(), ignored: [] };
    if (options.record) {
      await ensureJournal(mirror.db);
      await recordAudit(mirror.db, {
        runId: randomUUID(),
        startedAt: result.startedAt,
        durationMs: result.finishedAt.getTime() - result.startedAt.getTime(),
        actor: currentActor(options.env),
        host: currentHost(),
        entities: result.entities,
      });
    }
    const trend =
      options.trendRuns > 0
        ? await readHistory(mirror.db, { entities: names, limit: options.trendRuns })
        : { points: [], ignored: [] };
    // Both reads may meet the same bad row: it is one row to warn about.
    const ignoredOnce = new Map(
      [...ignored, ...trend.ignored].map((row) => [`${row.runId} ${row.entity}`, row]),
    );
    return {
      compared: [...previous.keys()],
      increases: increases(result.entities, previous, options.classes),
      trend: trend.points,
      ignored: [...ignoredOnce.values()],
    };
  } finally {
    await mirror.close();
  }
}

export async function readRecorded(
  target: ResolvedTarget,
  options: {
    entities?: readonly string[] | undefined;
    limit: number;
    timeouts?: SessionTimeouts | undefined;
  },
): Promise<HistoryRead> {
  const mirror = await connect(target, {
    maxConnections: 1,
    purpose: 'history',
    timeouts: options.timeouts,
  });
  try {
    return await readHistory(mirror.db, options);
  } finally {
    await mirror.close();
  }
}
