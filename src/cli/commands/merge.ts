import { Command, Option } from 'commander';
import { MISMATCH_CLASSES, type MismatchClass } from '../../core/audit-types.js';
import type { CliContext } from '../context.js';
import { withFormatOption } from '../options.js';
import { outputMode, paint } from '../output-mode.js';
import { parseClasses, parseCount } from '../parse-options.js';

interface MergeOptions {
  format: 'table' | 'json' | 'ndjson' | 'csv';
  details: number;
  failOn: MismatchClass[];
}

export function mergeCommand(context: CliContext): Command {
  const command = new Command('merge')
    .summary('add up the JSON reports of a sharded audit into the report of the whole')
    .description(
      'Reads the reports of `sfsync audit --shard K/N --format json`, one per shard (every K from 1 to N,\n' +
        'each once), and prints the audit an unsharded run would have printed: counts added up, each\n' +
        "entity's mismatches in key order. Needs no database. Exit codes as audit's: 0 no mismatch in the\n" +
        '--fail-on classes, 1 mismatches found, 2 a report missing, repeated, unreadable or from another split.',
    )
    .argument('<reports...>', 'the shards’ JSON report files')
    .option('--details <n>', 'mismatches listed per entity in the table output', parseCount, 20)
    .addOption(
      new Option('--fail-on <classes>', `comma-separated classes that make the exit code 1 (${MISMATCH_CLASSES.join(',')})`)
        .argParser(parseClasses)
        .default([...MISMATCH_CLASSES], 'all of them'),
    );
  return withFormatOption(command, ['table', 'json', 'ndjson', 'csv']).action(async (files: string[], options: MergeOptions) => {
    const [{ readAuditReport }, { mergeAudits }, render, { auditExitCode }] = await Promise.all([
      import('../reports/read-audit-report.js'),
      import('../../ops/merge-audits.js'),
      import('../render/audit.js'),
      import('../exit-codes.js'),
    ]);
    const reports = await Promise.all(files.map(async (file) => ({ file, audit: await readAuditReport(file) })));
    const merged = mergeAudits(reports);
    const out =
      options.format === 'json'
        ? render.renderAuditJson(merged)
        : options.format === 'ndjson'
          ? merged.entities.map(render.renderAuditNdjsonEntity).join('') + render.renderAuditNdjsonSummary(merged)
          : options.format === 'csv'
            ? (await import('../render/audit-csv.js')).renderAuditCsv(merged)
            : render.renderAuditTable(merged, options.details, context.stdout.columns ?? 160, paint(outputMode(context, context.env)));
    context.stdout.write(out);
    context.exitCode = auditExitCode(merged, options.failOn);
  });
}
