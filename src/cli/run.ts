import { CommanderError } from 'commander';
import { describeDatabaseFailure } from '../db/driver/sqlstate.js';
import { ExitCode, InterruptedError, OutputError, SfsyncError } from '../errors.js';
import type { CliContext } from './context.js';
import { createProgram } from './program.js';
import { errorDocument, type ErrorOutcome } from './error-document.js';
import { stderrText } from './stderr-text.js';

/**
 * The one place where errors become exit codes and messages. A user's mistake
 * or a database's failure gets one line (or one list) and no stack trace;
 * anything unexpected is a bug and says so, with the stack, so it can be
 * reported. Nothing printed here carries a password or a webhook URL's path,
 * or a control character (a file name, a server's message).
 */
export async function run(argv: readonly string[], context: CliContext): Promise<number> {
  const program = createProgram(context);
  let code: number;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    code = context.exitCode;
  } catch (error) {
    const failure = report(stopReason(context) ?? error, context);
    code = failure.exitCode;
    // A pipe into jq gets a document to read, not empty input; never when stdout itself failed.
    const { message } = failure;
    const document =
      message === undefined ? undefined : errorDocument(argv, { ...failure, message });
    if (document && !(stopReason(context) instanceof OutputError)) context.stdout.write(document);
  }
  await context.stdout.flush?.();
  const stop = stopReason(context);
  // A failed output decides the outcome whatever the command concluded: its result was not
  // delivered.
  if (stop instanceof OutputError && code !== stop.exitCode) return report(stop, context).exitCode;
  return code;
}

function stopReason(context: CliContext): SfsyncError | undefined {
  const reason: unknown = context.signal.aborted ? context.signal.reason : undefined;
  return reason instanceof InterruptedError || reason instanceof OutputError ? reason : undefined;
}

/** How a failure ended the run: its exit code, and what was said (undefined: help, no error). */
interface Failure extends ErrorOutcome {
  readonly message: string | undefined;
}

function report(error: unknown, context: CliContext): Failure {
  const say = (kind: ErrorOutcome['kind'], exitCode: number, text: string): Failure => {
    const message = stderrText(text);
    context.stderr.write(`sfsync: ${message}\n`);
    return { exitCode, kind, message };
  };
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    if (error.exitCode === 0) return { exitCode: ExitCode.ok, kind: 'usage', message: undefined };
    return { exitCode: ExitCode.usage, kind: 'usage', message: stderrText(error.message) };
  }
  if (error instanceof OutputError) {
    if (!error.quiet) return say('output', error.exitCode, error.message);
    return { exitCode: error.exitCode, kind: 'output', message: stderrText(error.message) };
  }
  if (error instanceof InterruptedError) {
    return say(
      'interrupted',
      error.exitCode,
      `${error.message}: stopped at a safe point; ` +
        'nothing half-done was committed (see `sfsync journal`)',
    );
  }
  if (error instanceof SfsyncError) return say(error.kind, error.exitCode, error.message);
  // A PostgreSQL or network error that did not pass through a sfsync connection (a script, the
  // simulator).
  const failure = describeDatabaseFailure(error);
  if (failure.sqlstate || failure.connectionLost)
    return say('database', ExitCode.database, `database: ${failure.text}`);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return say(
    'internal',
    ExitCode.internal,
    `internal error — please report it with this output:\n${detail}`,
  );
}
