/**
 * Every failure a user can cause or meet is one of these. The CLI maps them to
 * exit codes and one message in a single place (src/cli/run.ts); anything else
 * is a bug and is reported as such.
 */
export const ExitCode = {
  ok: 0,
  findings: 1,
  usage: 2,
  database: 3,
  lock: 4,
  internal: 70,
} as const;

export abstract class SfsyncError extends Error {
  abstract readonly exitCode: number;
  abstract readonly kind: 'usage' | 'config' | 'database' | 'lock';
}

export class UsageError extends SfsyncError {
  readonly exitCode = ExitCode.usage;
  readonly kind = 'usage';
}

export interface ConfigIssue {
  /** JSON path inside the config file, e.g. `entities[2].parents[0].entity`. */
  path: string;
  message: string;
}

export class ConfigError extends SfsyncError {
  readonly exitCode = ExitCode.usage;
  readonly kind = 'config';
  constructor(
    readonly file: string | undefined,
    readonly issues: ConfigIssue[],
  ) {
    super(ConfigError.describe(file, issues));
  }

  private static describe(file: string | undefined, issues: ConfigIssue[]): string {
    const where = file ? ` in ${file}` : '';
    const lines = issues.map((issue) => `  - ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    return [`invalid configuration${where} (${count}):`, ...lines].join('\n');
  }
}

export class DatabaseError extends SfsyncError {
  readonly exitCode = ExitCode.database;
  readonly kind = 'database';
}

export class LockError extends SfsyncError {
  readonly exitCode = ExitCode.lock;
  readonly kind = 'lock';
}
