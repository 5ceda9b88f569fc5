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
  /** sysexits' EX_IOERR: the output could not be written (disk full, say). */
  output: 74,
  /** 128 + the signal's number, as shells report a process ended by it. */
  sigint: 130,
  sigpipe: 141,
  sigterm: 143,
} as const;

export type ErrorKind = 'usage' | 'config' | 'database' | 'lock' | 'interrupted' | 'output';

export abstract class SfsyncError extends Error {
  abstract readonly exitCode: number;
  abstract readonly kind: ErrorKind;
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

/**
 * Problems a config error lists; a file with thousands (a generated or hostile one) still gets a
 * message that fits a screen.
 */
const LISTED_ISSUES = 50;

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
    const lines = issues
      .slice(0, LISTED_ISSUES)
      .map((issue) => `  - ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    const unlisted = issues.length - LISTED_ISSUES;
    if (unlisted > 0) lines.push(`  … and ${unlisted} more`);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    return [`invalid configuration${where} (${count}):`, ...lines].join('\n');
  }
}

export interface DatabaseErrorDetails {
  /** Which database: `source` or `mirror`. */
  readonly database?: 'source' | 'mirror' | undefined;
  /** PostgreSQL's SQLSTATE, when the server sent one. */
  readonly sqlstate?: string | undefined;
  /**
   * The connection is gone (terminated backend, server stopped, network): nothing more can run on
   * it.
   */
  readonly connectionLost?: boolean | undefined;
  /** The server's own message (with its SQLSTATE), for places that show a row's failure. */
  readonly detail?: string | undefined;
  readonly cause?: unknown;
}

export class DatabaseError extends SfsyncError {
  readonly exitCode = ExitCode.database;
  readonly kind = 'database';
  readonly database: 'source' | 'mirror' | undefined;
  readonly sqlstate: string | undefined;
  readonly connectionLost: boolean;
  readonly detail: string;

  constructor(message: string, details: DatabaseErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.database = details.database;
    this.sqlstate = details.sqlstate;
    this.connectionLost = details.connectionLost ?? false;
    this.detail = details.detail ?? message;
  }
}

export class LockError extends SfsyncError {
  readonly exitCode = ExitCode.lock;
  readonly kind = 'lock';
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The run was asked to stop (Ctrl-C, a CI job's timeout): it stopped at a safe point. */
export class InterruptedError extends SfsyncError {
  readonly kind = 'interrupted';
  readonly exitCode: number;
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
    this.exitCode = signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm;
  }
}

/** Standard output could not be written. EPIPE (the reader left, as `head` does) is quiet. */
export class OutputError extends SfsyncError {
  readonly kind = 'output';
  readonly exitCode: number;
  readonly quiet: boolean;
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.quiet = code === 'EPIPE';
    this.exitCode = this.quiet ? ExitCode.sigpipe : ExitCode.output;
  }
}
