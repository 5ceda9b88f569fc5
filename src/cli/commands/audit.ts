import { Command, Option } from 'commander';
import {
  AUDIT_METHODS,
  MAX_AUDIT_CONCURRENCY,
  type AuditMethod,
  type MismatchClass,
} from '../../core/audit/types.js';
import type { ResolvedTarget } from '../../config/types.js';
import type { Shard } from '../../core/methods/shard.js';
import { DatabaseError, UsageError } from '../../errors.js';
import type { AuditResult } from '../../core/audit/result.js';
import type { CliContext } from '../context.js';
import {
  loadRunConfig,
  OUTPUT_FORMATS,
  sessionTimeouts,
  withConfigOptions,
  withFormatOption,
  type ConfigOptions,
} from '../options.js';
import { paint } from '../../render/paint.js';
import { outputMode } from '../output-mode.js';
import {
  durationOption,
  failOnOption,
  parseCount,
  parseShardOption,
  repeatableOption,
} from '../parse-options.js';
import { startProgress } from '../progress.js';
import { withReportOptions, type ReportOptions } from '../reports/options.js';
import { stderrText } from '../stderr-text.js';

interface AuditOptions extends ConfigOptions, ReportOptions {
  format: 'table' | 'json' | 'ndjson' | 'markdown' | 'csv';
  entity?: string[];
  stale: number;
  details: number;
  failOn: MismatchClass[];
  method: AuditMethod | 'auto';
  shard?: Shard;
  concurrency: number;
}

/** Recorded runs the HTML report's trend shows. */
const TREND_RUNS = 30;

export function auditCommand(context: CliContext): Command {
  const command = new Command('audit')
    .summary('diff source tables against mirror tables and classify every mismatch')
    .description(
      "Compare each entity's source rows with its mirror rows by external ID, " +
        'in canonical order, and\n' +
        'classify every key: duplicate, missing_parent, failed, absent, stuck, drift, orphan ' +
        '(mismatches),\n' +
        'or ok / pending. Reads only, in READ ONLY transactions ' +
        '(--record writes its summary to the sfsync schema).\n' +
        'Exit codes: 0 no mismatch in the --fail-on classes ' +
        '(with --fail-on-increase: none of them grew),\n' +
        '1 mismatches found (or grew), 2 usage/config, 3 database, ' +
        '74 a report file could not be written.',
    )
    .addOption(
      repeatableOption(
        '-e, --entity <name>',
        'audit only this entity (repeatable); its parents are read, not reported',
        'all entities',
      ),
    )
    .addOption(
      durationOption(
        '--stale <duration>',
        'unsynced rows older than this are stuck (e.g. 90s, 30m, 2h)',
        '30m',
      ),
    )
    .option(
      '--details <n>',
      'mismatches listed per entity in the table and markdown output',
      parseCount,
      20,
    )
    .addOption(failOnOption())
    .addOption(
      new Option(
        '--method <method>',
        'how the sides are compared: join in the database (both schemas in one), ' +
          'stream, or checksum; auto picks',
      )
        .choices(['auto', ...AUDIT_METHODS])
        .default('auto'),
    )
    .option(
      '--concurrency <n>',
      'entities audited at once, each on its own sessions sharing one snapshot per database',
      parseCount,
      1,
    )
    .option(
      '--shard <K/N>',
      'audit only the keys of shard K of N (a stable hash of the external ID); ' +
        '`sfsync merge` adds the N reports up',
      parseShardOption,
    );
  withReportOptions(
    withFormatOption(withConfigOptions(command), [...OUTPUT_FORMATS, 'ndjson', 'markdown', 'csv']),
    'audit',
  );
  return command.action(async (options: AuditOptions) => {
    const [{ runAudit }, render, { auditExitCode }, { runWithReports }] = await Promise.all([
      import('../../ops/audit/audit.js'),
      import('../../render/audit-output.js'),
      import('../exit-codes.js'),
      import('../reports/emit.js'),
    ]);
    await runWithReports({ context, options, details: options.details }, 'audit', async () => {
      if (options.concurrency < 1 || options.concurrency > MAX_AUDIT_CONCURRENCY) {
        throw new UsageError(`--concurrency must be 1 to ${MAX_AUDIT_CONCURRENCY}`);
      }
      if (options.shard && (options.record || options.failOnIncrease)) {
        // A shard's counts are part of the whole: recorded, they would read as the backlog
        // shrinking.
        throw new UsageError(
          '--record and --fail-on-increase compare whole audits, not one shard; ' +
            'leave them out of a sharded run',
        );
      }
      const config = await loadRunConfig(options, context);
      const progress = await startProgress(context, 'auditing');
      try {
        const result = await runAudit(config, {
          entities: options.entity,
          staleMs: options.stale,
          method: options.method,
          shard: options.shard,
          concurrency: options.concurrency,
          signal: context.signal,
          timeouts: sessionTimeouts(options),
          onProgress: ({ entity, rows, done }) => {
            if (done) progress.succeed(`${entity}: ${rows} keys`);
            else progress.update(`${entity}: ${rows} keys read`);
          },
          onEntity: (entity) => {
            if (options.format === 'ndjson')
              context.stdout.write(render.renderAuditNdjsonEntity(entity));
          },
        });
        const history = await compareWithHistory(config.mirror, result, options, context);
        progress.stop();
        const style = {
          details: options.details,
          width: context.stdout.columns ?? 160,
          paint: paint(outputMode(context, context.env)),
          graph: config.graph,
        };
        context.stdout.write(
          render.renderAudit(result, options.format, { ...style, increases: history.increases }),
        );
        if (options.failOnIncrease && history.compared.length === 0) {
          context.stderr.write(
            'sfsync: note: --fail-on-increase: no earlier recorded run to compare with; ' +
              'this run is the baseline\n',
          );
        }
        context.exitCode = auditExitCode(
          result,
          options.failOn,
          options.failOnIncrease ? history.increases : undefined,
        );
        return {
          graph: config.graph,
          audit: result,
          increases: history.increases,
          trend: history.trend,
        };
      } finally {
        progress.stop();
      }
    });
  });
}

/**
 * --record, --fail-on-increase, --notify and the HTML trend, against sfsync.history in the mirror
 * database.
 */
async function compareWithHistory(
  mirror: ResolvedTarget,
  result: AuditResult,
  options: AuditOptions,
  context: CliContext,
) {
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
    classes: options.failOn,
    env: context.env,
    timeouts: sessionTimeouts(options),
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
    label: run.recordedAt.toISOString().slice(0, 16).replace('T', ' '),
    value: run.mismatches,
  }));
  return { increases: outcome.increases, compared: outcome.compared, trend };
}
