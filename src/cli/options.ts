import { Option, type Command } from 'commander';
import type { Config } from '../config/types.js';
import type { CliContext } from './context.js';

export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ConfigOptions {
  config?: string;
  sourceUrl?: string;
  mirrorUrl?: string;
}

export interface FormatOptions {
  format: OutputFormat;
}

/** --config, --source-url, --mirror-url: every command that reads the config takes them. */
export function withConfigOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', 'config file (default: ./sfsync.config.json)')
    .option('--source-url <url>', 'source database URL, overriding source.url')
    .option('--mirror-url <url>', 'mirror (Heroku Connect) database URL, overriding mirror.url');
}

export function withFormatOption(command: Command, formats: readonly string[] = OUTPUT_FORMATS): Command {
  return command.addOption(new Option('--format <format>', 'output format').choices(formats).default('table'));
}

export async function loadConfigFrom(options: ConfigOptions, context: CliContext): Promise<Config> {
  // zod is loaded on use, so `--help` and `--version` stay fast.
  const { loadConfig } = await import('../config/load.js');
  return loadConfig({ configPath: options.config, cwd: context.cwd, sourceUrl: options.sourceUrl, mirrorUrl: options.mirrorUrl });
}
