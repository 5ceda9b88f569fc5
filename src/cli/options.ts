import { Option, type Command } from 'commander';
import type { Config, RunConfig } from '../config/types.js';
import type { SessionTimeouts } from '../db/driver/pool-adapter.js';
import type { CliContext } from './context.js';
import { durationOption, parseTimeoutOption } from './parse-options.js';

export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ConfigOptions {
  config?: string;
  sourceUrl?: string;
  mirrorUrl?: string;
  statementTimeout?: number;
  lockTimeout: number;
}

/**
 * Unless told otherwise, a row lock held by someone else stops a statement after this long, so a
 * cron job never hangs on one.
 */
export const DEFAULT_LOCK_TIMEOUT = '60s';

export interface FormatOptions {
  format: OutputFormat;
}

/**
 * --config, --source-url, --mirror-url and the session timeouts: every command that reads the
 * config takes them.
 */
export function withConfigOptions(command: Command): Command {
  return command
    .addOption(configFileOption('config file (default: ./sfsync.config.json)'))
    .option('--source-url <url>', 'source database URL, overriding source.url')
    .option('--mirror-url <url>', 'mirror (Heroku Connect) database URL, overriding mirror.url')
    .addOption(
      new Option(
        '--statement-timeout <duration>',
        "cancel any statement running longer than this (e.g. 10m; 0 = none; default: the server's)",
      )
        .argParser(parseTimeoutOption)
        .env('SFSYNC_STATEMENT_TIMEOUT'),
    )
    .addOption(lockTimeoutOption());
}

/** --lock-timeout, for every command that takes a lock or writes. */
export function lockTimeoutOption(): Option {
  return durationOption(
    '--lock-timeout <duration>',
    'give up on a lock another session holds after this long (0 = wait forever)',
    DEFAULT_LOCK_TIMEOUT,
    parseTimeoutOption,
  ).env('SFSYNC_LOCK_TIMEOUT');
}

/** -c/--config, also from SFSYNC_CONFIG, so a job's environment can name the file once. */
export function configFileOption(description: string, defaultValue?: string): Option {
  return new Option('-c, --config <path>', description).default(defaultValue).env('SFSYNC_CONFIG');
}

export function sessionTimeouts(options: ConfigOptions): SessionTimeouts {
  return { statementMs: options.statementTimeout, lockMs: options.lockTimeout };
}

/**
 * --format, declared once for every command: `table` for people, the others for machines (see the
 * README's output contract).
 */
export function withFormatOption(
  command: Command,
  formats: readonly string[] = OUTPUT_FORMATS,
): Command {
  return command.addOption(
    new Option('--format <format>', 'output format').choices([...formats]).default('table'),
  );
}

/**
 * The config with both database URLs resolved: what every command that connects to both works with.
 */
export async function loadRunConfig(
  options: ConfigOptions,
  context: CliContext,
): Promise<RunConfig> {
  const { resolveConfig } = await import('../config/resolve-url.js');
  return resolveConfig(await loadConfigFrom(options, context), context.env);
}

export async function loadConfigFrom(options: ConfigOptions, context: CliContext): Promise<Config> {
  // zod is loaded on use, so `--help` and `--version` stay fast.
  const { loadConfig } = await import('../config/load.js');
  return loadConfig({
    configPath: options.config,
    cwd: context.cwd,
    sourceUrl: options.sourceUrl,
    mirrorUrl: options.mirrorUrl,
  });
}
