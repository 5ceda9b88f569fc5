import { randomUUID } from 'node:crypto';
import type { ResolvedTarget } from '../config/types.js';
import type { MismatchClass } from '../core/audit-types.js';
import { increases, type HistoryPoint, type Increase } from '../core/trend.js';
import { connect, type SessionTimeouts } from '../db/connect.js';
import { latestRecorded, readHistory, recordAudit } from '../db/history.js';
import { ensureJournal } from '../db/journal.js';
import type { AuditResult } from './audit.js';
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
}

/**
 * Compares an audit with the previous recorded one and records it, on one
 * mirror connection, after the audit's own read-only transactions. The
 * comparison reads before the insert, so "previous" is never this run.
 */
export async function compareAndRecord(target: ResolvedTarget, result: AuditResult, options: HistoryOptions): Promise<HistoryOutcome> {
  const mirror = await connect(target, { maxConnections: 1, purpose: 'history', timeouts: options.timeouts });
  try {
    const names = result.entities.map((e) => e.name);
    const previous = options.compare ? await latestRecorded(mirror.db, names) : new Map<string, HistoryPoint>();
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
    const trend = options.trendRuns > 0 ? await readHistory(mirror.db, { entities: names, limit: options.trendRuns }) : [];
    return { compared: [...previous.keys()], increases: increases(result.entities, previous, options.classes), trend };
  } finally {
    await mirror.close();
  }
}

export async function readRecorded(
  target: ResolvedTarget,
  options: { entities?: readonly string[] | undefined; limit: number; timeouts?: SessionTimeouts | undefined },
): Promise<HistoryPoint[]> {
  const mirror = await connect(target, { maxConnections: 1, purpose: 'history', timeouts: options.timeouts });
  try {
    return await readHistory(mirror.db, options);
  } finally {
    await mirror.close();
  }
}
