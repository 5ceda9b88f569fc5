import { Command } from 'commander';
import type { MismatchClass } from '../../core/audit/types.js';
import type { EntityGraph } from '../../core/entities/graph.js';
import type { AuditResult } from '../../core/audit/result.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { loadConfigFrom, withFormatOption } from '../options.js';
import { paint } from '../../render/paint.js';
import { outputMode } from '../output-mode.js';
import { failOnOption, parseCount } from '../parse-options.js';
import { withReportOptions, type ReportOptions } from '../reports/options.js';

interface MergeOptions extends ReportOptions {
  format: 'table' | 'json' | 'ndjson' | 'markdown' | 'csv';
  details: number;
  failOn: MismatchClass[];
  config?: string;
}

export function mergeCommand(context: CliContext): Command {
  const command = new Command('merge')
    .summary('add up the JSON reports of a sharded audit into the report of the whole')
    .description(
      'Reads the reports of `sfsync audit --shard K/N --format json`, ' +
        'one per shard (every K from 1 to N,\n' +
        'each once), and prints the audit an unsharded run would have printed: ' +
        'counts added up, each\n' +
        "entity's mismatches in key order; the same reports, metrics and alerts as audit. " +
        'Needs no database;\n' +
        'the config (optional) gives the markdown and HTML reports their dependency graph.\n' +
        "Exit codes as audit's: 0 no mismatch in the --fail-on classes, " +
        '1 mismatches found, 2 a report\n' +
        'missing, repeated, unreadable, inconsistent or from another split ' +
        '(one line naming the file),\n' +
        '74 a report file could not be written.',
    )
    .argument('<reports...>', 'the shards’ JSON report files')
    .option(
      '-c, --config <path>',
      'config file, for the dependency graph (default: ./sfsync.config.json if there is one)',
    )
    .option(
      '--details <n>',
      'mismatches listed per entity in the table and markdown output',
      parseCount,
      20,
    )
    .addOption(failOnOption());
  withReportOptions(
    withFormatOption(command, ['table', 'json', 'ndjson', 'markdown', 'csv']),
    'merge',
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
      const graph = await configGraph(options, context);
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
      const style = {
        details: options.details,
        width: context.stdout.columns ?? 160,
        paint: paint(outputMode(context, context.env)),
        graph,
        increases: [],
      };
      // ndjson: renderAudit prints the summary line, audit having streamed the mismatch lines
      // before it.
      const lines =
        options.format === 'ndjson'
          ? merged.entities.map(render.renderAuditNdjsonEntity).join('')
          : '';
      context.stdout.write(lines + render.renderAudit(merged, options.format, style));
      context.exitCode = auditExitCode(merged, options.failOn);
      return { graph, audit: merged, increases: [], trend: null };
    });
  });
}

/**
 * The config's dependency graph: from --config, or ./sfsync.config.json when there is one; none
 * without.
 */
async function configGraph(
  options: MergeOptions,
  context: CliContext,
): Promise<EntityGraph | undefined> {
  try {
    return (await loadConfigFrom({ config: options.config, lockTimeout: 0 }, context)).graph;
  } catch (error) {
    if (options.config === undefined && error instanceof UsageError) return undefined;
    throw error;
  }
}
