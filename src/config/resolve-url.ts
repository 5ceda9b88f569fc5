import { ConfigError, type ConfigIssue } from '../errors.js';
import type { Config, DatabaseTarget } from './types.js';

/**
 * The connection string for a target, reading `env:NAME` references now rather
 * than at load time, so commands that never connect (backfill --order) work
 * without database settings.
 */
export function resolveUrl(target: DatabaseTarget, env: NodeJS.ProcessEnv = process.env, configFile?: string): string {
  const where = target.origin.kind === 'flag' ? target.origin.flag : `${target.role}.url`;
  const fail = (message: string): never => {
    throw new ConfigError(target.origin.kind === 'flag' ? undefined : configFile, [{ path: where, message }]);
  };
  const raw = target.url?.trim();
  if (!raw) return fail(`no ${target.role} database URL: set ${target.role}.url in the config or pass --${target.role}-url`);
  const reference = /^env:(.*)$/.exec(raw);
  if (!reference) return raw;
  const variable = reference[1]!.trim();
  const value = env[variable]?.trim();
  if (!value) return fail(`environment variable ${variable} is not set (or is empty)`);
  return value;
}

/** Both URLs, or one ConfigError naming every one that cannot be resolved. */
export function resolveUrls(config: Config, env: NodeJS.ProcessEnv = process.env): { source: string; mirror: string } {
  const issues: ConfigIssue[] = [];
  const resolveOne = (target: DatabaseTarget): string => {
    try {
      return resolveUrl(target, env, config.file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
      return '';
    }
  };
  const urls = { source: resolveOne(config.source), mirror: resolveOne(config.mirror) };
  if (issues.length > 0) throw new ConfigError(config.file, issues);
  return urls;
}
