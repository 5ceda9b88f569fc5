import { InterruptedError, OutputError, type StopSignal } from '../errors.js';
import type { Output } from '../render/output.js';
import type { Verbosity } from './output-mode.js';

export type { Output } from '../render/output.js';

/** What a command may touch of the outside world; tests and programs can pass their own. */
export interface CliContext {
  readonly stdout: Output;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  /** Whether a person can answer a question (stdin is a terminal). */
  readonly stdinIsTTY: boolean;
  /** The arguments after `sfsync`, for the journal's record of the command line. */
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * Aborted when the run must stop at its next safe point: SIGINT/SIGTERM
   * (reason: InterruptedError) or standard output failing (reason: OutputError).
   */
  readonly signal: AbortSignal;
  /** The command's outcome; the entry point turns it into the process exit code. */
  exitCode: number;
  /** From --quiet / --verbose, set once the command line is parsed. */
  verbosity?: Verbosity;
}

export interface ProcessSession {
  readonly context: CliContext;
  dispose(): void;
}

/**
 * A command gets this long to stop at a safe point after SIGINT/SIGTERM before the process exits
 * anyway.
 */
const GRACE_MS = 20_000;

/**
 * The real process as a CliContext. SIGINT/SIGTERM abort the context's signal
 * (commands stop at the next row or batch, roll back, release the lock); a
 * second signal, or a command that does not stop within the grace period,
 * exits at once — PostgreSQL rolls back whatever was open. A failing stdout
 * (EPIPE from `| head`, ENOSPC) aborts the run too, and later writes are dropped.
 */
export function processSession(argv: readonly string[]): ProcessSession {
  const controller = new AbortController();
  let failure: OutputError | undefined;
  let graceTimer: NodeJS.Timeout | undefined;

  const onSignal = (signal: StopSignal) => {
    const interrupted = new InterruptedError(signal);
    if (controller.signal.aborted) process.exit(interrupted.exitCode);
    process.stderr.write(
      `sfsync: ${signal}: stopping at the next safe point (send it again to quit at once)\n`,
    );
    controller.abort(interrupted);
    graceTimer = setTimeout(() => process.exit(interrupted.exitCode), GRACE_MS);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (failure) return;
    const codePrefix = error.code ? `${error.code}: ` : '';
    const detail = error.message.replace(/^\w+: /, '');
    failure = new OutputError(error.code, `cannot write the output: ${codePrefix}${detail}`);
    if (!controller.signal.aborted) controller.abort(failure);
  };
  process.stdout.on('error', onStdoutError);
  // Progress and messages on a closed stderr have nowhere to go; they must not crash the run.
  process.stderr.on('error', () => undefined);

  const stdout: Output = {
    write: (text) => (failure ? false : process.stdout.write(text)),
    flush: () =>
      new Promise((resolve) => (failure ? resolve() : process.stdout.write('', () => resolve()))),
    get isTTY() {
      return process.stdout.isTTY;
    },
    get columns() {
      return process.stdout.columns;
    },
  };
  return {
    context: {
      stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      stdinIsTTY: Boolean(process.stdin.isTTY),
      argv,
      env: process.env,
      cwd: process.cwd(),
      signal: controller.signal,
      exitCode: 0,
    },
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      if (graceTimer) clearTimeout(graceTimer);
    },
  };
}
