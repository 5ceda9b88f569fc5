import type { MismatchClass } from '../../core/audit/types.js';
import type { AuditResult } from '../../core/audit/result.js';
import type { Increase } from '../../core/history/trend.js';
import { utc } from '../../core/time-text.js';
import type { ResolvedTarget } from '../../config/types.js';
import type { SessionTimeouts } from '../../db/driver/pool-adapter.js';
import { DatabaseError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { stderrText } from '../stderr-text.js';

/** Recorded runs the HTML report's trend shows. */
const TREND_RUNS = 30;

/** What an audit (or the merge of a sharded one) asks of the history. */
export interface HistoryWanted {
  readonly record?: boolean | undefined;
  readonly failOnIncrease?: boolean | undefined;
  readonly notify?: string | undefined;
  readonly html?: string | undefined;
  readonly failOn: readonly MismatchClass[];
  readonly timeouts: SessionTimeouts;
}

export interface HistoryComparison {
  readonly increases: readonly Increase[];
  readonly compared: readonly string[];
  readonly trend: { label: string; value: number }[] | null;
}

/**
 * --record, --fail-on-increase, --notify and the HTML trend, against sfsync.history in the mirror
 * database.
 */
export async function compareWithHistory(
  mirror: ResolvedTarget,
  result: AuditResult,
  options: HistoryWanted,
  context: CliContext,
): Promise<HistoryComparison> {
  const wanted = {
    record: Boolean(options.record),
    compare: Boolean(options.failOnIncrease || options.notify),
    trendRuns: options.html ? TREND_RUNS : 0,
  };
  if (!wanted.record && !wanted.compare && wanted.trendRuns === 0)
    return { increases: [], compared: [], trend: null };
  const [{ compareAndRecord }, { totalsPerRun }, { renderIgnoredHistory }] = await Promise.all([
    import('../../ops/history.js'),
    import('../../core/history/trend.js'),
    import('../../render/history.js'),
  ]);
  const outcome = await compareAndRecord(mirror, result, {
    ...wanted,
    classes: [...options.failOn],
    env: context.env,
    timeouts: options.timeouts,
  }).catch((error: unknown) => {
    // Only --record and --fail-on-increase need the history; for the HTML trend and --notify's "a
    // class grew" it is a nicety, so a role that may not read it still gets its report and its
    // alert.
    if (
      wanted.record ||
      options.failOnIncrease ||
      !(error instanceof DatabaseError && error.sqlstate === '42501')
    )
      throw error;
    const firstLine = error.message.split('\n')[0];
    const problem = `cannot read sfsync.history, so no trend and no comparison: ${firstLine}`;
    context.stderr.write(`sfsync: warning: ${stderrText(problem)}\n`);
    return { increases: [], compared: [], trend: [], ignored: [] };
  });
  context.stderr.write(renderIgnoredHistory(outcome.ignored));
  const trend = totalsPerRun(outcome.trend).map((run) => ({
    label: utc(run.recordedAt),
    value: run.mismatches,
  }));
  return { increases: outcome.increases, compared: outcome.compared, trend };
}

/** The note --fail-on-increase leaves when there was nothing to compare with. */
export function noteFirstBaseline(
  comparison: HistoryComparison,
  failOnIncrease: boolean | undefined,
  context: CliContext,
): void {
  if (failOnIncrease && comparison.compared.length === 0) {
    context.stderr.write(
      'sfsync: note: --fail-on-increase: no earlier recorded run to compare with; ' +
        'this run is the baseline\n',
    );
  }
}
