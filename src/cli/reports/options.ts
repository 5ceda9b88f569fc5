import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { durationOption } from '../parse-options.js';
import { checkHttpUrl } from './http-post.js';

/** The options of the unattended run: report files, metrics, alerts (and, for audit, history). */
export interface ReportOptions {
  metrics?: string;
  pushgateway?: string;
  notify?: string;
  notifyTimeout: number;
  html?: string;
  record?: boolean;
  failOnIncrease?: boolean;
}

/**
 * A webhook or Pushgateway URL option. Its path (and user info) is a secret,
 * so a bad value is refused with a UsageError (exit 2) that does not repeat
 * it: commander's own InvalidArgumentError message would quote it in full.
 * An empty value is off, so `--notify "$SLACK_WEBHOOK"` runs where the secret is not set.
 */
function httpUrlOption(flags: string, description: string, envName: string): Option {
  const name = flags.split(' ')[0]!;
  // From the environment, the secret stays out of the command line (and the process list).
  return new Option(flags, description).env(envName).argParser((value: string) => {
    if (value.trim() === '') return '';
    const problem = checkHttpUrl(value);
    if (problem)
      throw new UsageError(
        `${name}: ${problem}; the value is not shown, as a webhook URL is a secret`,
      );
    return value;
  });
}

/**
 * `audit` and `merge` (the audit of a sharded run): the HTML report and the history; `write`
 * (repair, backfill): neither.
 */
export function withReportOptions(command: Command, kind: 'audit' | 'write'): Command {
  if (kind !== 'write') {
    command.option(
      '--html <file>',
      'also write a self-contained HTML report ' +
        '(charts, dependency graph, filterable list) to this file',
    );
    command
      .option(
        '--record',
        "store this audit's summary in the sfsync schema, " +
          'for `sfsync history` and --fail-on-increase',
      )
      .option(
        '--fail-on-increase',
        'exit 1 only when a --fail-on class grew since the previous recorded run ' +
          '(not for a known backlog)',
      );
  }
  return command
    .option(
      '--metrics <file>',
      'also write Prometheus metrics to this file, atomically (node_exporter textfile collector)',
    )
    .addOption(
      httpUrlOption(
        '--pushgateway <url>',
        'also push the metrics to this Prometheus Pushgateway (empty: off)',
        'SFSYNC_PUSHGATEWAY',
      ),
    )
    .addOption(
      httpUrlOption(
        '--notify <url>',
        'POST a Slack-compatible JSON message here when the run fails or a class grew ' +
          '(empty: off)',
        'SFSYNC_NOTIFY',
      ),
    )
    .addOption(
      durationOption(
        '--notify-timeout <duration>',
        'give up on --notify and --pushgateway after this long',
        '10s',
      ),
    );
}
