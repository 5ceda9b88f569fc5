import { ConfigError, type ConfigIssue } from '../errors.js';
import type { Config, DatabaseTarget, ResolvedTarget, RunConfig } from './types.js';
import { appendAll } from '../core/arrays.js';

/**
 * Where to connect, decided once per command: `env:NAME` references read now
 * rather than at load time (so commands that never connect, like
 * `backfill --order`, need no database settings), and PGSSLMODE with them.
 */
export function resolveTarget(
  target: DatabaseTarget,
  env: NodeJS.ProcessEnv,
  configFile?: string,
): ResolvedTarget {
  const where = target.origin.kind === 'flag' ? target.origin.flag : `${target.role}.url`;
  const fail = (message: string): never => {
    throw new ConfigError(target.origin.kind === 'flag' ? undefined : configFile, [
      { path: where, message },
    ]);
  };
  const raw = target.url?.trim();
  if (!raw)
    return fail(
      `no ${target.role} database URL: ` +
        `set ${target.role}.url in the config or pass --${target.role}-url`,
    );
  const reference = /^env:(.*)$/.exec(raw);
  let url = raw;
  if (reference) {
    const variable = reference[1]!.trim();
    const value = env[variable]?.trim();
    if (!value) return fail(`environment variable ${variable} is not set (or is empty)`);
    url = value;
  }
  return {
    role: target.role,
    schema: target.schema,
    url,
    sslModeFromEnv: env.PGSSLMODE?.trim() || undefined,
  };
}

/** Both databases resolved, or one ConfigError naming every one that cannot be. */
export function resolveConfig(config: Config, env: NodeJS.ProcessEnv): RunConfig {
  const issues: ConfigIssue[] = [];
  const resolveOne = (target: DatabaseTarget): ResolvedTarget | undefined => {
    try {
      return resolveTarget(target, env, config.file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      appendAll(issues, error.issues);
      return undefined;
    }
  };
  const source = resolveOne(config.source);
  const mirror = resolveOne(config.mirror);
  if (!source || !mirror) throw new ConfigError(config.file, issues);
  return { ...config, source, mirror };
}
