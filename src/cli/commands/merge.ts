import { Command } from 'commander';
import { terminalWidth } from '../terminal-width.js';
import type { MismatchClass } from '../../core/audit/types.js';
import type { Config } from '../../config/types.js';
import { resolveTarget } from '../../config/resolve-url.js';
import type { AuditResult } from '../../core/audit/result.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import {
  configFileOption,
  loadConfigFrom,
  lockTimeoutOption,
  withFormatOption,
} from '../options.js';
import { paint } from '../../render/paint.js';
import { outputMode } from '../output-mode.js';
import { detailsOption, failOnOption } from '../parse-options.js';
import { databaseNames } from '../reports/database-names.js';
import { compareWithHistory, noteFirstBaseline } from './audit-history.js';
import { withReportOptions, type ReportOptions } from '../reports/options.js';
import {
  AUDIT_FORMATS,
  type AuditFormat,
  writeAuditOutputFiles,
} from '../reports/audit-output-files.js';
import { outputFilesOption, type OutputFile } from '../reports/output-files.js';

interface MergeOptions extends ReportOptions {
  format: AuditFormat;
  output: OutputFile<AuditFormat>[];
  details: number;
  failOn: MismatchClass[];
  config?: string;
  mirrorUrl?: string;
  lockTimeout: number;
}

export function mergeCommand(context: CliContext): Command {
  const command = new Command('merge')
    .summary('add up the JSON reports of a sharded audit into the report of the whole')
    .description(
      'Reads the reports of `sfsync audit --shard K/N --format json`, one per shard ' +
        '(every K from 1 to N, each once), and prints the audit an unsharded run would have ' +
        "printed: counts added up, each entity's mismatches in key order; the same reports, " +
        'metrics and alerts as audit. Needs no database unless --record or --fail-on-increase ' +
        "asks for the history, which lives in the config's mirror database; the config also " +
        'gives the markdown and ' +
        'HTML reports their dependency graph.\n\n' +
        "Exit codes as audit's: 0 no mismatch in the --fail-on classes (with --fail-on-increase: " +
        'none of them grew), 1 mismatches found (or grew), 2 a report missing, repeated, ' +
        'unreadable, inconsistent or from another split (one line naming the file), 3 the ' +
        'history could not be read or written, 74 a report file could not be written.',
    )
    .argument('<reports...>', 'the shards’ JSON report files')
    .addOption(
      configFileOption(
        'config file, for the dependency graph and, with --record or --fail-on-increase, ' +
          'the mirror database (default: ./sfsync.config.json if there is one)',
      ),
    )
    .option(
      '--mirror-url <url>',
      'mirror database URL for --record and --fail-on-increase, overriding mirror.url',
    )
    .addOption(lockTimeoutOption())
    .addOption(detailsOption('mismatches'))
    .addOption(failOnOption());
  withReportOptions(withFormatOption(command, AUDIT_FORMATS), 'audit').addOption(
    outputFilesOption(AUDIT_FORMATS),
  );
  return command.action(async (files: string[], options: MergeOptions) => {
    const [
      { readShardReports },
      { mergeAudits },
      render,
      { auditExitCode },
      { runWithReports },
      { terminalSafe },
    ] = await Promise.all([
      import('../reports/read-audit-report.js'),
      import('../../core/audit/merge.js'),
      import('../../render/audit-output.js'),
      import('../exit-codes.js'),
      import('../reports/emit.js'),
      import('../../render/terminal-text.js'),
    ]);
    await runWithReports({ context, options, details: options.details }, 'audit', async () => {
      const historyWanted = Boolean(options.record || options.failOnIncrease);
      const config = await mergeConfig(options, context, historyWanted);
      let merged: AuditResult;
      try {
        merged = mergeAudits(await readShardReports(files));
      } catch (error) {
        // Every refusal is one line a terminal shows as text, whatever the file names and keys it
        // quotes hold.
        throw error instanceof UsageError
          ? new UsageError(terminalSafe(error.message).replaceAll('\n', '\\n'))
          : error;
      }
      // The history lives in the mirror database: only --record and --fail-on-increase reach for
      // it, so a merge for the reports alone still needs no database.
      const mirror =
        historyWanted && config
          ? resolveTarget(config.mirror, context.env, config.file)
          : undefined;
      const history = mirror
        ? await compareWithHistory(
            mirror,
            merged,
            { ...options, timeouts: { lockMs: options.lockTimeout } },
            context,
          )
        : { increases: [], compared: [], trend: null };
      const style = {
        details: options.details,
        width: terminalWidth(context),
        paint: paint(outputMode(context, context.env)),
        graph: config?.graph,
        increases: history.increases,
      };
      // ndjson: writeAudit prints the summary line, after the mismatch lines.
      if (options.format === 'ndjson')
        for (const entity of merged.entities)
          await render.writeAuditNdjsonEntity(context.stdout, entity);
      await render.writeAudit(context.stdout, merged, options.format, style);
      await writeAuditOutputFiles(options.output, merged, style, context);
      noteFirstBaseline(history, options.failOnIncrease, context);
      context.exitCode = auditExitCode(
        merged,
        options.failOn,
        options.failOnIncrease ? history.increases : undefined,
      );
      return {
        graph: config?.graph,
        audit: merged,
        increases: history.increases,
        trend: history.trend,
        // The shards' databases are not in their reports: only the history's is known here.
        databases: mirror ? databaseNames([mirror]) : [],
      };
    });
  });
}

/**
 * The config: from --config, or ./sfsync.config.json when there is one; none without, unless the
 * history is wanted (it is in the mirror database the config names).
 */
async function mergeConfig(
  options: MergeOptions,
  context: CliContext,
  required: boolean,
): Promise<Config | undefined> {
  try {
    return await loadConfigFrom(
      { config: options.config, mirrorUrl: options.mirrorUrl, lockTimeout: options.lockTimeout },
      context,
    );
  } catch (error) {
    if (!required && options.config === undefined && error instanceof UsageError) return undefined;
    throw error;
  }
}
